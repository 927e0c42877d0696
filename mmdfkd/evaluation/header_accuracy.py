from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.evaluator import BaseMetric

from mmdfkd.registry import METRICS


@METRICS.register_module()
class HeaderAccuracy(BaseMetric):
    r"""Top-k accuracy of every header of a multi-header student.

    `CDFKD-MFS <https://arxiv.org/abs/2205.11845>`_ evaluates the mean of
    the header logits (mmpretrain's ``Accuracy`` on ``pred_score`` does that)
    and, besides, each header alone. This metric reads the ``head_scores``
    field, ``(H, K)`` per sample, that
    :class:`mmdfkd.models.MultiHeaderClassifier` writes in ``'predict'``
    mode, and reports, in percent as mmpretrain's ``Accuracy`` does,

    .. math::
        \mathrm{head}i\_\mathrm{top}k = \frac{100}{n} \sum_{b=1}^{n}
        \mathbb{1}\big[y_b \in \mathrm{top}k(s_{b,i})\big],

    under the keys ``head1_top1``, ``head2_top1``, ... (headers counted from
    1), and ``mean_top1`` for the mean of the header logits when the
    predictions carry ``mean_score`` (to compare with attention), prefixed
    with ``header/`` by default (``header/head1_top1``). Use it next to
    ``mmpretrain.Accuracy``::

        val_evaluator = [dict(type='mmpretrain.Accuracy'),
                         dict(type='HeaderAccuracy')]

    Args:
        topk (int | Sequence[int]): The k of top-k. Defaults to 1.
        collect_device (str): Device for collecting results across ranks,
            ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            None, which means ``'header'``.
    """

    default_prefix: Optional[str] = 'header'

    def __init__(self,
                 topk: Union[int, Sequence[int]] = 1,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.topk = (topk, ) if isinstance(topk, int) else tuple(topk)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keep ``head_scores`` ``(H, K)`` and ``gt_label`` of each sample.

        Args:
            data_batch: A batch from the dataloader (unused).
            data_samples (Sequence[dict]): The model's predictions, as dicts
                (mmengine's evaluator converts ``DataSample`` s).
        """
        for sample in data_samples:
            if 'head_scores' not in sample:
                raise KeyError(
                    'HeaderAccuracy needs the `head_scores` field of '
                    'MultiHeaderClassifier predictions; this model did not '
                    'write it.')
            result = dict(
                head_scores=torch.as_tensor(
                    sample['head_scores']).detach().cpu(),
                gt_label=torch.as_tensor(
                    sample['gt_label']).detach().cpu().view(-1))
            if 'mean_score' in sample:
                result['mean_score'] = torch.as_tensor(
                    sample['mean_score']).detach().cpu()
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Top-k accuracy of each header over all results."""
        scores = torch.stack([r['head_scores'] for r in results])  # (n,H,K)
        target = torch.cat([r['gt_label'] for r in results])  # (n, )
        num_classes = scores.size(2)
        metrics = {}
        for k in self.topk:
            if k > num_classes:
                raise ValueError(f'topk={k} exceeds the number of classes '
                                 f'({num_classes}).')
            topk_pred = scores.topk(k, dim=2).indices  # (n, H, k)
            hit = (topk_pred == target[:, None, None]).any(dim=2)  # (n, H)
            acc = hit.float().mean(dim=0) * 100  # (H, )
            for i, value in enumerate(acc.tolist()):
                metrics[f'head{i + 1}_top{k}'] = value
            if all('mean_score' in r for r in results):
                mean = torch.stack([r['mean_score'] for r in results])
                hit = (mean.topk(k, dim=1).indices == target[:, None]).any(1)
                metrics[f'mean_top{k}'] = hit.float().mean().item() * 100
        return metrics
