from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmdfkd.registry import MODELS
from .dafl_lenet5 import DAFLLeNet5
from .sep_conv import SepConv, grouped_sequential


@MODELS.register_module()
class MultiHeaderLeNet5(BaseModule):
    r"""Multi-header LeNet-5 student with multi-level feature sharing.

    **Our design**, by analogy with the multi-header ResNet of `CDFKD-MFS
    <https://arxiv.org/abs/2205.11845>`_ (§3.2 of our method notes; the
    paper has no LeNet student, its ICME predecessor CDFKD has an
    "MHLeNet-5-Half" whose layout is not documented), for 1x32x32 digits
    and Fashion-MNIST. The shared trunk is the convolutional part of
    :class:`DAFLLeNet5` (widths :math:`c_1, c_2, c_3`), cut into three
    stages:

    .. code-block:: none

        u1 = pool(ReLU(conv1(x)))    # (N, c1, 14, 14)
        u2 = pool(ReLU(conv2(u1)))   # (N, c2, 5, 5)
        u3 = ReLU(conv3(u2))         # (N, c3, 1, 1), the LeNet feature

    Each header :math:`i` has its own branch:

    .. code-block:: none

        a1 = maxpool3x3_s1(SepConv(c1 -> c2)(u1))          # 14 -> 7 -> 5 px
        a2 = GAP(SepConv(2 c2 -> c3)([u2, a1]))            # 5 -> 3 -> 1 px
        f  = ReLU(BN(PWConv1x1(2 c3 -> c3)([u3, a2])))     # (N, c3)

    - The stride-2 :class:`SepConv` gives 7x7 from 14x14; a parameter-free
      3x3 stride-1 max-pool (LeNet-style pooling, no padding) brings it to
      :math:`u_2`'s 5x5 instead of cropping the border.
    - At 1x1 resolution a 3x3 depthwise convolution is only a per-channel
      scale, so the last block keeps only the pointwise half of a
      :class:`SepConv`; it plays the role of LeNet-5's hidden fully
      connected layer.
    - The :math:`N` branches run as one pass of grouped layers
      (:func:`~mmdfkd.models.sep_conv.grouped_sequential`): the same
      parameters, state-dict keys and result as a loop over the headers (up
      to float rounding), with :math:`1/N` of the kernel launches, which
      dominate at these sizes (CDFKD-MFS digits: student forward + backward
      38.5 -> 27.9 ms per batch of 64, bf16, one CPU thread).

    The header feature :math:`f_i` has :math:`c_3` dimensions: 60 for the
    default LeNet-5-Half widths ``(3, 8, 60)``, against 120 for the LeNet-5
    teacher's backbone feature (and 84 for its penultimate layer), so the
    CDFKD-MFS feature loss does not apply to this pair (its weight must be 0).

    Parameters with ``channels=(3, 8, 60)``, 3 headers and 10 classes in
    :class:`MultiHeaderClassifier`: trunk 12,746; each branch 9,085
    (9,695 with its ``Linear(60, 10)``); total 41,831 (+ 11 for the
    attention layer), about 2.7x the 15,738 of LeNet-5-Half.

    Args:
        in_channels (int): Number of input image channels. Defaults to 1.
        channels (Sequence[int]): Trunk widths ``(c1, c2, c3)``.
            Defaults to ``(3, 8, 60)`` (LeNet-5-Half, DAFL variant).
        num_heads (int): Number of headers :math:`N`. Defaults to 3.
        norm_cfg (dict, optional): Normalisation after each trunk
            convolution (see :class:`DAFLLeNet5`). Defaults to None.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None (PyTorch's default initialisation).

    Example:
        >>> import torch
        >>> from mmdfkd.models import MultiHeaderLeNet5
        >>> feats = MultiHeaderLeNet5()(torch.rand(2, 1, 32, 32))
        >>> len(feats), feats[0].shape
        (3, torch.Size([2, 60]))
    """

    def __init__(self,
                 in_channels: int = 1,
                 channels: Sequence[int] = (3, 8, 60),
                 num_heads: int = 3,
                 norm_cfg: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_heads < 1:
            raise ValueError(f'num_heads must be >= 1, got {num_heads}.')
        trunk = DAFLLeNet5(
            in_channels=in_channels, channels=channels, norm_cfg=norm_cfg)
        # cut the trunk after each max-pool: u1, u2, u3
        layers = list(trunk.features)
        cuts = [
            i + 1 for i, m in enumerate(layers)
            if isinstance(m, nn.MaxPool2d)
        ]
        self.stages = nn.ModuleList([
            nn.Sequential(*layers[:cuts[0]]),
            nn.Sequential(*layers[cuts[0]:cuts[1]]),
            nn.Sequential(*layers[cuts[1]:]),
        ])
        c1, c2, c3 = trunk.channels
        self.channels = trunk.channels
        self.num_heads = num_heads
        self.out_channels = c3
        self.branches = nn.ModuleList()
        for _ in range(num_heads):
            self.branches.append(
                nn.ModuleList([
                    SepConv(c1, c2),
                    SepConv(2 * c2, c3),
                    nn.Sequential(
                        nn.Conv2d(2 * c3, c3, kernel_size=1, bias=False),
                        nn.BatchNorm2d(c3), nn.ReLU(inplace=True)),
                ]))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Forward computation.

        Args:
            x (torch.Tensor): Images of shape ``(N, in_channels, 32, 32)``.

        Returns:
            tuple[torch.Tensor]: ``num_heads`` header features :math:`f_i`,
            each ``(N, c3)``.
        """
        u1 = self.stages[0](x)  # (N, c1, 14, 14)
        u2 = self.stages[1](u1)  # (N, c2, 5, 5)
        u3 = self.stages[2](u2)  # (N, c3, 1, 1)
        # the headers' branches as one pass of grouped layers; channel
        # block h of each tensor below belongs to header h
        sep1 = [b[0].layers for b in self.branches]
        sep2 = [b[1].layers for b in self.branches]
        point = [b[2] for b in self.branches]
        a1 = grouped_sequential(sep1, u1.repeat(1, self.num_heads, 1, 1))
        a1 = F.max_pool2d(a1, kernel_size=3, stride=1)  # (N, H c2, 5, 5)
        a2 = grouped_sequential(sep2, self._per_head_cat(u2, a1))
        a2 = F.adaptive_avg_pool2d(a2, 1)  # (N, H c3, 1, 1)
        f = grouped_sequential(point, self._per_head_cat(u3, a2))
        return f.flatten(1).chunk(self.num_heads, dim=1)  # H x (N, c3)

    def _per_head_cat(self, shared: torch.Tensor,
                      own: torch.Tensor) -> torch.Tensor:
        """``[shared, own_h]`` for every header h: (N, C, ...) and
        (N, H C', ...) -> (N, H (C + C'), ...)."""
        N, H = shared.size(0), self.num_heads
        shared = shared.unsqueeze(1).expand(N, H, *shared.shape[1:])
        own = own.unflatten(1, (H, -1))
        return torch.cat([shared, own], dim=2).flatten(1, 2)
