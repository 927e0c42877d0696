import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS


@MODELS.register_module()
class OneHotLoss(nn.Module):
    r"""One-hot loss: cross-entropy of the teacher's logits against their own
    arg-max, pushing generated images to be confidently classified.

    From `Data-Free Learning of Student Networks
    <https://arxiv.org/abs/1904.01186>`_ (Chen et al., ICCV 2019), Eq. (3):

    .. math::
        \mathcal{L}_{oh} = \frac{1}{n}\sum_i \mathcal{H}_{cross}(y_T^i, t^i),
        \quad t^i = \arg\max_k (y_T^i)_k

    Args:
        loss_weight (float): Weight of the term. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, preds_T: torch.Tensor) -> torch.Tensor:
        """Loss from teacher logits of shape (N, K)."""
        preds_T = preds_T.float()
        pseudo_labels = preds_T.argmax(dim=1)                # (N, )
        return self.loss_weight * F.cross_entropy(preds_T, pseudo_labels)
