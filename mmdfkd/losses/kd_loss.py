import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS


@MODELS.register_module()
class KDLoss(nn.Module):
    r"""Knowledge-distillation loss with temperature.

    From `Distilling the Knowledge in a Neural Network
    <https://arxiv.org/abs/1503.02531>`_ (Hinton et al., 2015):

    .. math::
        \mathcal{L}_{kd} = \tau^2 \, \frac{1}{n}\sum_i
        \mathrm{KL}\big(\mathrm{softmax}(y_T^i/\tau) \,\Vert\,
        \mathrm{softmax}(y_S^i/\tau)\big)

    (sum over classes, mean over the batch; DAFL's ``kdloss`` at
    :math:`\tau=1`, RDSKD's at :math:`\tau=10`).

    Args:
        tau (float): Temperature. Defaults to 1.0.
        loss_weight (float): Weight of the term. Defaults to 1.0.
    """

    def __init__(self, tau: float = 1.0, loss_weight: float = 1.0):
        super().__init__()
        self.tau = tau
        self.loss_weight = loss_weight

    def forward(self, preds_S: torch.Tensor,
                preds_T: torch.Tensor) -> torch.Tensor:
        """Loss from student and teacher logits, both (N, K)."""
        log_p_S = F.log_softmax(preds_S.float() / self.tau, dim=1)  # (N, K)
        log_p_T = F.log_softmax(preds_T.float() / self.tau, dim=1)  # (N, K)
        loss = F.kl_div(
            log_p_S, log_p_T, reduction='batchmean', log_target=True)
        return self.loss_weight * loss * self.tau**2
