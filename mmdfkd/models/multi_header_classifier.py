from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.classifiers import BaseClassifier
from mmpretrain.structures import DataSample

from mmdfkd.registry import MODELS
from .header_attention import HeaderAttention


@MODELS.register_module()
class MultiHeaderClassifier(BaseClassifier):
    r"""Classifier with one linear head per header of a multi-header
    backbone (the CDFKD-MFS student).

    `CDFKD-MFS <https://arxiv.org/abs/2205.11845>`_ (Hao et al., IEEE TMM
    2022) distils :math:`N` teachers into one student with :math:`N`
    headers. The backbone (:class:`MultiHeaderResNet`,
    :class:`MultiHeaderWideResNet`, :class:`MultiHeaderLeNet5`) returns one
    pooled feature :math:`f_i \in \mathbb{R}^D` per header; header
    :math:`i`'s logits are :math:`S_i = W_i f_i + b_i` (``self.heads[i]``).
    The prediction aggregates them:

    - ``aggregation='mean'`` (the paper's inference):
      :math:`\bar S = \frac{1}{N} \sum_i S_i`;
    - ``aggregation='attention'``: :class:`HeaderAttention` (§3.8 of our
      method notes), trained separately on a few real images.

    ``self.attention`` is built in both cases, so checkpoints have the same
    keys whichever aggregation a config uses; it is unused (and gets no
    gradient) with ``'mean'``.

    It is an mmpretrain ``BaseClassifier``, so mmpretrain's evaluation and
    inference tools work with it. Modes of :meth:`forward`:

    - ``'tensor'``: the aggregated logits ``(N, K)``;
    - ``'predict'``: mmpretrain ``DataSample`` s with ``pred_score``
      (softmax of the aggregated logits), ``pred_label`` and ``head_scores``
      (``(H, K)``, the softmax of each header's logits, read by
      :class:`mmdfkd.evaluation.HeaderAccuracy`);
    - ``'loss'``: ``dict(loss=...)``, the mean over headers of each header's
      cross-entropy with the ground truth (a supervised baseline; CDFKD-MFS
      itself trains the student with its own distillation losses, through
      :meth:`forward_heads`).

    Args:
        backbone (dict | nn.Module): A multi-header backbone with attributes
            ``num_heads`` and ``out_channels`` (:math:`D`) whose forward
            returns a tuple of ``num_heads`` tensors ``(N, D)``.
        num_classes (int): Number of classes :math:`K`.
        aggregation (str): ``'mean'`` or ``'attention'``.
            Defaults to ``'mean'``.
        data_preprocessor (dict | nn.Module, optional): Defaults to None,
            which means ``dict(type='mmpretrain.ClsDataPreprocessor')``; a
            dict without ``type`` gets that type (write other mmpretrain
            types with their ``mmpretrain.`` prefix).
        init_cfg (dict, optional): Initialization config. Defaults to None.

    Example:
        >>> import torch
        >>> from mmdfkd.models import MultiHeaderClassifier
        >>> model = MultiHeaderClassifier(
        ...     backbone=dict(type='MultiHeaderLeNet5'), num_classes=10)
        >>> model(torch.rand(2, 1, 32, 32)).shape
        torch.Size([2, 10])
    """

    def __init__(self,
                 backbone: Union[dict, nn.Module],
                 num_classes: int,
                 aggregation: str = 'mean',
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if aggregation not in ('mean', 'attention'):
            raise ValueError("aggregation must be 'mean' or 'attention', "
                             f'got {aggregation!r}.')
        if data_preprocessor is None:
            data_preprocessor = {}
        if isinstance(data_preprocessor, dict):
            data_preprocessor = dict(data_preprocessor)
            data_preprocessor.setdefault('type',
                                         'mmpretrain.ClsDataPreprocessor')
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            init_cfg=init_cfg, data_preprocessor=data_preprocessor)
        if not isinstance(backbone, nn.Module):
            backbone = MODELS.build(backbone)
        self.backbone = backbone
        self.num_heads = backbone.num_heads
        self.num_classes = num_classes
        self.aggregation = aggregation
        self.heads = nn.ModuleList(
            nn.Linear(backbone.out_channels, num_classes)
            for _ in range(self.num_heads))
        self.attention = HeaderAttention(num_classes)
        if aggregation == 'mean':
            # unused: no gradient, nothing for DDP to wait for
            self.attention.requires_grad_(False)

    def extract_feat(self, inputs: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Per-header pooled features, ``num_heads`` x ``(N, D)``."""
        return tuple(self.backbone(inputs))

    def forward_heads(
        self, inputs: torch.Tensor
    ) -> Tuple[List[torch.Tensor], List[torch.Tensor]]:
        """Logits and features of every header.

        Args:
            inputs (Tensor): Images ``(N, C, H, W)``.

        Returns:
            tuple: ``(logits, feats)``, lists of ``num_heads`` tensors of
            shapes ``(N, K)`` (:math:`S_i`) and ``(N, D)`` (:math:`f_i`).
        """
        feats = list(self.extract_feat(inputs))  # H x (N, D)
        logits = [head(f) for head, f in zip(self.heads, feats)]  # H x (N,K)
        return logits, feats

    def aggregate(self, logits: Sequence[torch.Tensor]) -> torch.Tensor:
        """Aggregate header logits (``H`` x ``(N, K)``) into ``(N, K)``."""
        if self.aggregation == 'attention':
            return self.attention(logits)
        return torch.stack(list(logits), dim=0).mean(dim=0)  # (N, K)

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor'):
        """The unified entry of mmengine models.

        Args:
            inputs (Tensor): Images ``(N, C, H, W)``.
            data_samples (list[DataSample], optional): Needed for
                ``mode='loss'``. Defaults to None.
            mode (str): ``'tensor'``, ``'heads'`` (:meth:`forward_heads`),
                ``'predict'`` or ``'loss'``. Defaults to ``'tensor'``.

        Returns:
            Tensor | list[DataSample] | dict[str, Tensor]: Aggregated logits
            ``(N, K)``, predictions, or ``dict(loss=...)``.
        """
        if mode == 'tensor':
            return self.aggregate(self.forward_heads(inputs)[0])
        if mode == 'heads':  # through forward, so DDP wrappers see it
            return self.forward_heads(inputs)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}".')

    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        """Mean over headers of the cross-entropy with the ground truth
        (``gt_score`` soft targets if present, else ``gt_label``)."""
        logits, _ = self.forward_heads(inputs)
        if 'gt_score' in data_samples[0]:
            target = torch.stack([ds.gt_score for ds in data_samples])
            losses = [
                -(target * F.log_softmax(s.float(), dim=1)).sum(1).mean()
                for s in logits
            ]
        else:
            target = torch.cat([ds.gt_label for ds in data_samples])  # (N, )
            losses = [F.cross_entropy(s.float(), target) for s in logits]
        return dict(loss=torch.stack(losses).mean())

    def predict(
        self,
        inputs: torch.Tensor,
        data_samples: Optional[List[Optional[DataSample]]] = None
    ) -> List[DataSample]:
        """Predictions with the aggregated scores and each header's scores.

        Returns:
            list[DataSample]: One per image, with ``pred_score`` ``(K, )``,
            ``pred_label`` ``(1, )``, ``head_scores`` ``(H, K)`` and
            ``mean_score`` ``(K, )`` (softmax of the mean header logits,
            the paper's prediction, to compare with attention).
        """
        logits, _ = self.forward_heads(inputs)
        scores = F.softmax(self.aggregate(logits), dim=1)  # (N, K)
        mean_scores = F.softmax(torch.stack(logits).mean(0), dim=1)  # (N, K)
        labels = scores.argmax(dim=1, keepdim=True).detach()  # (N, 1)
        head_scores = torch.stack([F.softmax(s, dim=1) for s in logits],
                                  dim=1)  # (N, H, K)
        if data_samples is None:
            data_samples = [None] * scores.size(0)
        out = []
        for ds, score, label, per_head, mean in zip(
                data_samples, scores, labels, head_scores, mean_scores):
            if ds is None:
                ds = DataSample()
            ds.set_pred_score(score).set_pred_label(label)
            ds.set_field(per_head, 'head_scores', dtype=torch.Tensor)
            ds.set_field(mean, 'mean_score', dtype=torch.Tensor)
            out.append(ds)
        return out
