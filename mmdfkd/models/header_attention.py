from typing import Sequence, Union

import torch
import torch.nn as nn

from mmdfkd.registry import MODELS


@MODELS.register_module()
class HeaderAttention(nn.Module):
    r"""Attention-based aggregation of the logits of several headers.

    The aggregation module of `CDFKD-MFS <https://arxiv.org/abs/2205.11845>`_
    as implemented in its ICME predecessor (code
    ``pytorch-CDFKD/attention-train.py``; method notes §3.8). One linear
    layer :math:`g: \mathbb{R}^K \to \mathbb{R}`, shared by all headers,
    scores each header's logits :math:`S_i`; the scores are normalised over
    the headers and weight the logits:

    .. math::
        w_{b,i} = \mathrm{softmax}_i\big(g(S_{b,i})\big), \qquad
        \mathrm{out}_b = \sum_i w_{b,i}\, S_{b,i}.

    In the paper it is trained alone (student frozen, logits detached) with
    cross-entropy on a few real images.

    Args:
        num_classes (int): Number of classes :math:`K`.

    Example:
        >>> import torch
        >>> from mmdfkd.models import HeaderAttention
        >>> HeaderAttention(10)(torch.randn(4, 3, 10)).shape
        torch.Size([4, 10])
    """

    def __init__(self, num_classes: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.fc = nn.Linear(num_classes, 1)

    def forward(
        self, logits: Union[torch.Tensor, Sequence[torch.Tensor]]
    ) -> torch.Tensor:
        """Aggregate header logits.

        Args:
            logits (Tensor | Sequence[Tensor]): ``(N, H, K)``, or a sequence
                of ``H`` tensors of shape ``(N, K)``.

        Returns:
            Tensor: Aggregated logits of shape ``(N, K)``.
        """
        if not isinstance(logits, torch.Tensor):
            logits = torch.stack(list(logits), dim=1)  # (N, H, K)
        weights = torch.softmax(self.fc(logits), dim=1)  # (N, H, 1)
        return (weights * logits).sum(dim=1)  # (N, K)
