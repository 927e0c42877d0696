import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS


@MODELS.register_module()
class ModeSeekingLoss(nn.Module):
    r"""Inter-sample (mode-seeking) diversity loss of RDSKD.

    From `Robustness and Diversity Seeking Data-Free Knowledge Distillation
    <https://arxiv.org/abs/2011.03749>`_ (Han et al., ICASSP 2021), as the
    official code (PengchaoHan/RDSKD, ``generator-train.py``) computes it. The
    batch is two half-batches :math:`x_1, x_2` from independent codes; with
    the teacher's softmax outputs :math:`p_1, p_2`,

    .. math::
        l_z = \frac{\lVert x_2 - x_1 \rVert_F}{\lVert p_2 - p_1 \rVert_F},
        \qquad \mathcal{L}_{ds} = \frac{1}{l_z + 10^{-20}},

    with Frobenius norms over the *whole* half-batch tensors (not per
    sample). Minimising it asks different codes to give images that differ
    more than the teacher's predictions do, the mode-seeking term of
    `MSGAN <https://arxiv.org/abs/1903.05628>`_.

    Args:
        loss_weight (float): Weight of the term (RDSKD uses none: 1).
            Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, images: torch.Tensor,
                preds_T: torch.Tensor) -> torch.Tensor:
        """Loss from generated images (N, C, H, W) and the teacher's logits
        on them (N, K); the first and second half of the batch are the two
        half-batches, so N must be even."""
        n = images.size(0)
        if n % 2 or preds_T.size(0) != n:
            raise ValueError(
                'ModeSeekingLoss needs an even batch of images and as many '
                f'logits, got {n} images and {preds_T.size(0)} logits.')
        x1, x2 = images.float().split(n // 2)              # (N/2, C, H, W)
        p1, p2 = F.softmax(preds_T.float(), dim=1).split(n // 2)  # (N/2, K)
        lz = torch.norm(x2 - x1) / torch.norm(p2 - p1)
        return self.loss_weight / (lz + 1e-20)
