import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS


@MODELS.register_module()
class AttentionTransferLoss(nn.Module):
    r"""Attention-transfer feature loss of one stage.

    From `Paying More Attention to Attention
    <https://arxiv.org/abs/1612.03928>`_ (Zagoruyko & Komodakis, ICLR 2017),
    in the form `ZSKT <https://arxiv.org/abs/1905.09768>`_'s official code
    uses (polo5/ZeroShotKnowledgeTransfer, ``solver.py``). A feature map
    :math:`a` of shape ``(N, C, H, W)`` becomes the spatial attention map

    .. math::
        \mathrm{AT}(a) = \frac{\mathrm{vec}(\frac{1}{C}\sum_c a_c^2)}
                              {\lVert \mathrm{vec}(\frac{1}{C}\sum_c a_c^2)
                               \rVert_2} \in \mathbb{R}^{N \times HW},
        \qquad
        \mathcal{L}_{at} = \beta \cdot \mathrm{mean}\big((\mathrm{AT}(a_S)
            - \mathrm{AT}(a_T))^2\big),

    the mean over the :math:`N \times HW` elements. The channel counts of
    student and teacher may differ (no adapter needed); the spatial sizes
    must match. ZSKT sums the term over three stages with
    :math:`\beta = 250`.

    Args:
        loss_weight (float): :math:`\beta`. Defaults to 250.0 (ZSKT).
    """

    def __init__(self, loss_weight: float = 250.0):
        super().__init__()
        self.loss_weight = loss_weight

    @staticmethod
    def attention(feat: torch.Tensor) -> torch.Tensor:
        """The normalised attention map (N, H*W) of a feature map."""
        return F.normalize(feat.float().pow(2).mean(1).flatten(1), dim=1)

    def forward(self, feat_S: torch.Tensor,
                feat_T: torch.Tensor) -> torch.Tensor:
        """Loss from a student and a teacher feature map, (N, C_S, H, W) and
        (N, C_T, H, W)."""
        if feat_S.shape[0] != feat_T.shape[0] or \
                feat_S.shape[2:] != feat_T.shape[2:]:
            raise ValueError(
                'AttentionTransferLoss needs feature maps of the same batch '
                f'and spatial size, got student {tuple(feat_S.shape)} and '
                f'teacher {tuple(feat_T.shape)}. Fix: pair stages of the same '
                'resolution (feature_stages of the algorithm).')
        diff = self.attention(feat_S) - self.attention(feat_T)  # (N, H*W)
        return self.loss_weight * diff.pow(2).mean()
