from typing import Dict, List, Optional, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel

from mmdfkd.registry import MODELS
from mmdfkd.models import load_frozen
from mmdfkd.utils import DFKDInputError


@MODELS.register_module()
class AttentionAggregation(BaseModel):
    r"""CDFKD's attention-based aggregation: a second run that weighs the
    headers of a trained multi-header student per sample.

    `CDFKD <https://arxiv.org/abs/2205.11845>`_ (Hao et al.; the module is in
    the ICME code, ``attention-train.py``): the student of
    :class:`CDFKDMFS` is loaded and frozen (eval mode, no gradient); only its
    :class:`~mmdfkd.models.HeaderAttention` learns, by cross-entropy on a
    few labelled real images (``FewShotSubset``, 1 % of the training split
    by default):

    .. math::
        w = \mathrm{softmax}_i\big(a(S_i)\big),\qquad
        \hat y = \sum_i w_i S_i,\qquad
        \mathcal{L} = \mathrm{CE}(\hat y, y).

    Training uses mmengine's standard ``train_step`` (``mode='loss'``);
    validation reports the attention's top-1 (``accuracy/top1``) next to the
    plain mean of headers (``header/mean_top1``) and each header.

    Args:
        student (dict): The multi-header student config; its
            ``aggregation`` is set to ``'attention'``.
        student_checkpoint (str, optional): Weights of the trained student,
            a plain state dict (``student.pth`` written by the CDFKD-MFS
            run). Required unless ``init_random``.
        student_prefix (str, optional): Key prefix of the student in the
            checkpoint, e.g. ``'student.'`` for a whole-algorithm state
            dict. Defaults to None.
        init_random (bool): Keep the student random (tests only).
            Defaults to False.
        data_preprocessor (dict, optional): Normalisation of the real
            images (the student's). Defaults to None.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self,
                 student: dict,
                 student_checkpoint: Optional[str] = None,
                 student_prefix: Optional[str] = None,
                 init_random: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if student_checkpoint is None and not init_random:
            raise DFKDInputError(
                'AttentionAggregation has no student_checkpoint. Fix: point '
                '`model.student_checkpoint` at the student.pth written by '
                'the CDFKD-MFS run.')
        if student.get('type') not in ('MultiHeaderClassifier',
                                       'mmdfkd.MultiHeaderClassifier'):
            raise DFKDInputError(
                'AttentionAggregation needs a MultiHeaderClassifier student '
                f'(the CDFKD-MFS student), got {student.get("type")}.')
        self.student = MODELS.build(dict(student, aggregation='attention'))
        load_frozen(self.student, student_checkpoint, what='student',
                    prefix=student_prefix)
        self.student.attention.requires_grad_(True)  # the only trained part

    def train(self, mode: bool = True) -> 'AttentionAggregation':
        super().train(mode)
        self.student.eval()  # frozen: BN statistics never change
        return self

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[list] = None,
                mode: str = 'tensor') -> Union[torch.Tensor, List, Dict]:
        """``'loss'``: CE of the attention's logits; ``'predict'`` and
        ``'tensor'``: the student with attention aggregation."""
        if mode != 'loss':
            return self.student(inputs, data_samples, mode=mode)
        with torch.no_grad():
            logits, _ = self.student.forward_heads(inputs)  # H x (N, K)
        logits = torch.stack(logits, dim=1).float()         # (N, H, K)
        labels = torch.cat([s.gt_label for s in data_samples])  # (N, )
        preds = self.student.attention(logits)              # (N, K)
        return dict(loss_ce=F.cross_entropy(preds, labels.to(preds.device)))
