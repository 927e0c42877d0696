import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS


@MODELS.register_module()
class LogitL1Loss(nn.Module):
    r"""Mean absolute error between student and teacher logits.

    The discrepancy of `Data-Free Adversarial Distillation
    <https://arxiv.org/abs/1912.11006>`_ (Fang et al., 2019), Eq. (4): the
    student minimises it and the generator maximises it.

    .. math::
        \mathcal{L}_{MAE} = \frac{1}{nK}\sum_{i,k} |y_S^{ik} - y_T^{ik}|

    Args:
        loss_weight (float): Weight of the term. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, preds_S: torch.Tensor,
                preds_T: torch.Tensor) -> torch.Tensor:
        """Loss from student and teacher logits, both (N, K)."""
        return self.loss_weight * F.l1_loss(preds_S.float(), preds_T.float())
