import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS


@MODELS.register_module()
class MaskedKLAdversarialLoss(nn.Module):
    r"""Decision-adversarial term of CMI, Fast DFKD and NAYER: the synthesis
    step *maximises* the teacher-student KL on the samples they still agree
    on.

    From `Contrastive Model Inversion for Data-Free Knowledge Distillation
    <https://arxiv.org/abs/2105.08584>`_ (Fang et al., IJCAI 2021), official
    code (``datafree/synthesis/contrastive.py``):

    .. math::
        \mathcal{L}_{adv} = -\lambda\,\frac{1}{n}\sum_i
        \mathbb{1}[\arg\max s_i = \arg\max t_i]\;
        \mathrm{KL}\big(\mathrm{softmax}(t_i) \,\Vert\,
        \mathrm{softmax}(s_i)\big)

    (temperature 1; the mask stops the push once the student disagrees,
    so synthesis does not chase samples the student already gets wrong).

    Args:
        loss_weight (float): :math:`\lambda`. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, preds_S: torch.Tensor,
                preds_T: torch.Tensor) -> torch.Tensor:
        """Loss from student and teacher logits, both (N, K)."""
        s, t = preds_S.float(), preds_T.float()
        agree = (s.argmax(1) == t.argmax(1)).float()                # (N, )
        kl = F.kl_div(F.log_softmax(s, 1), F.log_softmax(t, 1),
                      reduction='none', log_target=True).sum(1)     # (N, )
        return -self.loss_weight * (kl * agree).mean()


@MODELS.register_module()
class JSCompetitionLoss(nn.Module):
    r"""Adaptive DeepInversion's competition term: images on which the
    student and the teacher disagree are preferred.

    From `Dreaming to Distill <https://arxiv.org/abs/1912.08795>`_ (Yin et
    al., CVPR 2020), Eq. (8), official ``deepinversion.py``: with
    :math:`p = \mathrm{softmax}(t/\tau)`, :math:`q = \mathrm{softmax}(s/
    \tau)` clamped to :math:`[0.01, 0.99]`, :math:`m = (p + q)/2`,

    .. math::
        \mathrm{JS} = \tfrac12\mathrm{KL}(m \Vert p)
            + \tfrac12\mathrm{KL}(m \Vert q), \qquad
        \mathcal{L}_{comp} = \lambda\,\big(1 - \mathrm{clamp}(\mathrm{JS},
        0, 1)\big)

    (batch mean of the KLs, :math:`\tau = 3`; the KL terms are torch's
    ``kl_div(log p, m)``, i.e. :math:`\mathrm{KL}(m \Vert p)`, as in the
    code).

    Args:
        tau (float): Temperature :math:`\tau`. Defaults to 3.0.
        loss_weight (float): :math:`\lambda` (``adi_scale``). Defaults to
            1.0.
    """

    def __init__(self, tau: float = 3.0, loss_weight: float = 1.0):
        super().__init__()
        self.tau = tau
        self.loss_weight = loss_weight

    def forward(self, preds_S: torch.Tensor,
                preds_T: torch.Tensor) -> torch.Tensor:
        p = F.softmax(preds_T.float() / self.tau, dim=1)
        q = F.softmax(preds_S.float() / self.tau, dim=1)
        m = (0.5 * (p + q)).clamp(0.01, 0.99)
        p, q = p.clamp(0.01, 0.99), q.clamp(0.01, 0.99)
        js = 0.5 * F.kl_div(p.log(), m, reduction='batchmean') + \
            0.5 * F.kl_div(q.log(), m, reduction='batchmean')
        return self.loss_weight * (1.0 - js.clamp(0.0, 1.0))
