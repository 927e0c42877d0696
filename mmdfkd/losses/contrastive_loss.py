import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS


@MODELS.register_module()
class CMIContrastiveLoss(nn.Module):
    r"""CMI's instance-discrimination loss between two views.

    From `Contrastive Model Inversion for Data-Free Knowledge Distillation
    <https://arxiv.org/abs/2105.08584>`_ (Fang et al., IJCAI 2021), official
    ``contrastive.py`` ("naive implementation"): with :math:`u_i` the
    projected local-view features and :math:`v_j` the projected
    global-view ones (both L2-normalised, current batch first, then the
    samples drawn from the memory bank),

    .. math::
        \ell_i = -\log\frac{\exp(u_i^\top \mathrm{sg}(v_i)/\tau)}
        {\sum_j \exp(u_i^\top \mathrm{sg}(v_j)/\tau)}, \qquad
        \mathcal{L}_{cr} = \lambda\big(\mathrm{mean}_{i \le N}\,\ell_i
        + \mathrm{mean}_{i > N}\,\ell_i\big)

    (the two means keep the current batch's gradient from being diluted
    by a large bank; without bank samples it is the plain mean).

    Args:
        temperature (float): :math:`\tau` (``cr_T``). Defaults to 0.1.
        loss_weight (float): :math:`\lambda` (``cr``). Defaults to 0.8.
    """

    def __init__(self, temperature: float = 0.1, loss_weight: float = 0.8):
        super().__init__()
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self, local: torch.Tensor, global_: torch.Tensor,
                num_current: int) -> torch.Tensor:
        """``local``, ``global_``: (N + N', D) projected features; the first
        ``num_current`` rows are the current batch."""
        logits = local.float() @ global_.float().detach().T / self.temperature
        labels = torch.arange(logits.size(0), device=logits.device)
        loss = F.cross_entropy(logits, labels, reduction='none')  # (N + N')
        if loss.numel() > num_current:
            loss = loss[:num_current].mean() + loss[num_current:].mean()
        else:
            loss = loss.mean()
        return self.loss_weight * loss
