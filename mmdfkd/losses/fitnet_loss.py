import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS


@MODELS.register_module()
class FitNetLoss(nn.Module):
    r"""FitNet hint loss of one stage: the mean squared error between the
    (adapted) student feature map and the teacher's.

    From `FitNets: Hints for Thin Deep Nets
    <https://arxiv.org/abs/1412.6550>`_ (Romero et al., ICLR 2015). The
    student map is first mapped to the teacher's channel count by a 1x1
    convolution :math:`r` (the algorithm's adapter) where the counts differ:

    .. math::
        \mathcal{L}_{hint} = \beta \cdot \mathrm{mean}\big((r(a_S) - a_T)^2
        \big),

    the mean over all :math:`N \times C_T \times H \times W` elements.

    Args:
        loss_weight (float): :math:`\beta`. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, feat_S: torch.Tensor,
                feat_T: torch.Tensor) -> torch.Tensor:
        """Loss from an adapted student and a teacher feature map, both
        (N, C_T, H, W)."""
        if feat_S.shape != feat_T.shape:
            raise ValueError(
                'FitNetLoss needs feature maps of the same shape, got '
                f'student {tuple(feat_S.shape)} and teacher '
                f'{tuple(feat_T.shape)}. Fix: pair stages of the same '
                'resolution; the algorithm adds 1x1 adapters for channels.')
        return self.loss_weight * F.mse_loss(feat_S.float(), feat_T.float())
