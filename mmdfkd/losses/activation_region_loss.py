"""SpaceshipNet's multi-scale spatial activation region constraint (mSARC):
the student's class activation maps matched to the teacher's."""
from typing import List, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS


def class_activation_maps(features: torch.Tensor,
                          weight: torch.Tensor) -> torch.Tensor:
    r"""CAMs of every class: the linear classifier applied at each position,
    :math:`M_{k,h,w} = \sum_c W_{kc} f_{c,h,w}` (no bias), i.e. the
    classifier's weight as a 1x1 convolution.

    Args:
        features (Tensor): The last feature map (N, C, H, W), before the
            global average pooling.
        weight (Tensor): The classifier's weight (K, C).

    Returns:
        Tensor: (N, K, H, W).
    """
    return torch.einsum('kc,nchw->nkhw', weight.to(features.dtype),
                        features)


def grad_cams(logits: torch.Tensor, features: Sequence[torch.Tensor],
              targets: torch.Tensor) -> List[torch.Tensor]:
    r"""Grad-CAM maps of ``targets`` at each feature map:

    .. math::
        \alpha_c = \frac{1}{HW}\sum_{h,w}
            \frac{\partial y_{t}}{\partial f_{c,h,w}}, \qquad
        G_{h,w} = \sum_c \alpha_c\, f_{c,h,w}

    with :math:`y_t` the logit of the target class; no ReLU and no
    normalisation (``gradcam_cope`` of model_CFE_mSARC_base_V37.py). The
    weights :math:`\alpha` are constants (computed without a graph, as
    there); gradients flow to the maps through :math:`f`.

    Args:
        logits (Tensor): (N, K), computed from ``features``.
        features (Sequence[Tensor]): Maps (N, C_l, H_l, W_l) in the graph
            of ``logits``.
        targets (Tensor): Classes (N, ).

    Returns:
        list[Tensor]: One (N, H_l, W_l) map per feature map.
    """
    one_hot = F.one_hot(targets, logits.size(1)).to(logits.dtype)
    grads = torch.autograd.grad(logits, list(features), grad_outputs=one_hot,
                                retain_graph=True)
    return [(g.mean((2, 3), keepdim=True) * f).sum(1)
            for g, f in zip(grads, features)]


@MODELS.register_module()
class CAMLoss(nn.Module):
    r"""mSARC's class-activation-map term (``loss_mSARC_cam_mse``):

    .. math::
        \mathcal{L}_{cam} = \lambda\, \frac{1}{NKHW}
            \lVert W_S \ast f_S - W_T \ast f_T \rVert_2^2

    with :math:`W \ast f` the CAMs of every class
    (:func:`class_activation_maps`) on the last feature maps. The
    classifier weights are constants: the official code copies them into a
    separate 1x1 convolution, so only the student's features receive a
    gradient.

    Args:
        loss_weight (float): :math:`\lambda`. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, feat_S: torch.Tensor, weight_S: torch.Tensor,
                feat_T: torch.Tensor, weight_T: torch.Tensor) -> torch.Tensor:
        """Loss from the last maps (N, C, H, W) and classifier weights
        (K, C) of student and teacher (their C may differ)."""
        cam_S = class_activation_maps(feat_S.float(), weight_S.detach())
        cam_T = class_activation_maps(feat_T.float(), weight_T.detach())
        return self.loss_weight * F.mse_loss(cam_S, cam_T.detach())


@MODELS.register_module()
class GradCAMLoss(nn.Module):
    r"""mSARC's multi-scale Grad-CAM term (``loss_mSARC_gradcams_mse``):

    .. math::
        \mathcal{L}_{gcam} = \lambda \sum_{l} \frac{1}{N H_l W_l}
            \lVert G^S_l - G^T_l \rVert_2^2

    with :math:`G_l` the Grad-CAM map (:func:`grad_cams`) at stage
    :math:`l` of the class the teacher predicts, for the student and for
    the teacher (whose maps are targets). Paired stages need the same
    spatial size; their channels may differ.

    Args:
        loss_weight (float): :math:`\lambda`. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, logits_S: torch.Tensor,
                feats_S: Sequence[torch.Tensor], logits_T: torch.Tensor,
                feats_T: Sequence[torch.Tensor]) -> torch.Tensor:
        """Loss from the logits (N, K) and the stage maps of student and
        teacher, each in the graph of its logits."""
        targets = logits_T.detach().argmax(1)
        cams_T = grad_cams(logits_T, feats_T, targets)
        cams_S = grad_cams(logits_S, feats_S, targets)
        return self.loss_weight * sum(
            F.mse_loss(s.float(), t.detach().float())
            for s, t in zip(cams_S, cams_T))
