import torch
import torch.nn as nn

from mmdfkd.registry import MODELS


@MODELS.register_module()
class ActivationLoss(nn.Module):
    r"""Activation loss: the negative mean absolute teacher feature, which
    rewards images that excite the teacher's penultimate layer.

    From `Data-Free Learning of Student Networks
    <https://arxiv.org/abs/1904.01186>`_ (Chen et al., ICCV 2019), Eq. (4):

    .. math::
        \mathcal{L}_{a} = -\frac{1}{n}\sum_i \lVert f_T^i \rVert_1

    (the official code averages over features too, i.e.
    ``-features.abs().mean()``).

    Args:
        loss_weight (float): Weight of the term. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, feats_T: torch.Tensor) -> torch.Tensor:
        """Loss from teacher features of shape (N, C) or (N, C, H, W)."""
        return -self.loss_weight * feats_T.float().abs().mean()
