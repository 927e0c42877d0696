import torch
import torch.nn as nn

from mmdfkd.registry import MODELS


@MODELS.register_module()
class FeatureL1Loss(nn.Module):
    r"""L1 distance between pooled student and teacher features, summed over
    the feature dimension and averaged over the batch.

    The feature term of `CDFKD-MFS <https://arxiv.org/abs/2205.11845>`_
    (Hao et al., IEEE TMM 2022), as its official code (Hao840/CDFKD-MFS)
    computes it for header :math:`i` and teacher :math:`i`:

    .. math::
        \mathcal{L}_{feat} = \frac{1}{n}\sum_{b=1}^{n}\sum_{d=1}^{D}
        |f_S^{bd} - f_T^{bd}|

    No adapter: the two feature sizes must be equal.

    Args:
        loss_weight (float): Weight of the term (0.2 on CIFAR-100 and
            Caltech-101, 0.05 on mini-ImageNet). Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, feats_S: torch.Tensor,
                feats_T: torch.Tensor) -> torch.Tensor:
        """Loss from student and teacher features, both (N, D)."""
        if feats_S.shape != feats_T.shape:
            raise ValueError(
                'FeatureL1Loss needs student and teacher features of the '
                f'same shape, got {tuple(feats_S.shape)} and '
                f'{tuple(feats_T.shape)}. Fix: set loss_feat=None for this '
                'teacher-student pair (CDFKD-MFS uses no adapter).')
        diff = (feats_S.float() - feats_T.float()).abs()    # (N, D)
        return self.loss_weight * diff.sum(dim=1).mean()
