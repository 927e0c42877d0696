import torch
import torch.nn as nn

from mmdfkd.registry import MODELS


@MODELS.register_module()
class TVLoss(nn.Module):
    r"""Total-variation prior on images, DeepInversion's :math:`\mathcal{R}_
    {TV}`.

    From `Dreaming to Distill: Data-free Knowledge Transfer via
    DeepInversion <https://arxiv.org/abs/1912.08795>`_ (Yin et al., CVPR
    2020), official ``get_image_prior_losses``: the differences between each
    pixel and its right, lower, lower-left and lower-right neighbours
    :math:`d_1 .. d_4`,

    .. math::
        \mathcal{L}_{TV,2} = \lambda \sum_{k=1}^{4} \lVert d_k \rVert_2,
        \qquad
        \mathcal{L}_{TV,1} = \lambda \sum_{k=1}^{4} \mathrm{mean}|d_k|

    (``p=2``: NVlabs' ``loss_var_l2``, the paper's CIFAR setting with
    :math:`\lambda = 2.5\cdot10^{-5}`; ``p=1``: ``loss_var_l1``, used by
    zju-vipa's DeepInversion).

    Args:
        p (int): 1 or 2. Defaults to 2.
        loss_weight (float): :math:`\lambda`. Defaults to 1.0.
    """

    def __init__(self, p: int = 2, loss_weight: float = 1.0):
        super().__init__()
        if p not in (1, 2):
            raise ValueError(f'TVLoss p must be 1 or 2, got {p}.')
        self.p = p
        self.loss_weight = loss_weight

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Loss of images (N, C, H, W)."""
        x = images.float()
        diffs = (x[:, :, :, :-1] - x[:, :, :, 1:],
                 x[:, :, :-1, :] - x[:, :, 1:, :],
                 x[:, :, 1:, :-1] - x[:, :, :-1, 1:],
                 x[:, :, :-1, :-1] - x[:, :, 1:, 1:])
        if self.p == 2:
            loss = sum(torch.linalg.vector_norm(d) for d in diffs)
        else:
            loss = sum(d.abs().mean() for d in diffs)
        return self.loss_weight * loss


@MODELS.register_module()
class ImageL2Loss(nn.Module):
    r"""DeepInversion's :math:`\mathcal{R}_{\ell_2} = \lambda \lVert x
    \rVert_2` (the L2 norm of the whole batch, not squared).

    Args:
        loss_weight (float): :math:`\lambda`. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.loss_weight * torch.linalg.vector_norm(images.float())
