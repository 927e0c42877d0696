import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS


@MODELS.register_module()
class InfoEntropyLoss(nn.Module):
    r"""Information-entropy loss: the negative entropy of the teacher's
    batch-mean prediction, pushing generated batches towards balanced classes.

    From `Data-Free Learning of Student Networks
    <https://arxiv.org/abs/1904.01186>`_ (Chen et al., ICCV 2019), Eq. (5):

    .. math::
        \mathcal{L}_{ie} = -\mathcal{H}_{info}\Big(\frac{1}{n}\sum_i
        \mathrm{softmax}(y_T^i)\Big) = \sum_k \bar p_k \log \bar p_k

    The official DAFL code uses ``log10``; RDSKD uses the natural log.

    Args:
        log_base (float): Base of the logarithm (10 for DAFL, ``math.e`` for
            RDSKD). Defaults to 10.
        loss_weight (float): Weight of the term. Defaults to 1.0.
    """

    def __init__(self, log_base: float = 10.0, loss_weight: float = 1.0):
        super().__init__()
        self.log_base = log_base
        self.loss_weight = loss_weight

    def forward(self, preds_T: torch.Tensor) -> torch.Tensor:
        """Loss from teacher logits of shape (N, K); minimum -log(K)."""
        mean_prob = F.softmax(preds_T.float(), dim=1).mean(dim=0)   # (K, )
        # the clamp keeps value and gradient finite when a class's mean
        # probability underflows to 0 (0 * log 0 = 0); no effect otherwise
        neg_entropy = (mean_prob *
                       torch.log(mean_prob.clamp_min(1e-30))).sum()
        return self.loss_weight * neg_entropy / math.log(self.log_base)
