from typing import List, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmdfkd.registry import MODELS
from .sep_conv import SepConv
from .wide_resnet import WideResNet


@MODELS.register_module()
class MultiHeaderWideResNet(BaseModule):
    r"""Multi-header wide ResNet student with multi-level feature sharing.

    The WRN student of `CDFKD-MFS <https://arxiv.org/abs/2205.11845>`_ (Hao
    et al., IEEE TMM 2022; code ``nets/mhwrn4x.py``), for 32x32 images. The
    shared trunk is the stem and the three groups of our :class:`WideResNet`
    (widths :math:`c_0, c_1, c_2 = 16w, 32w, 64w`); its final BN-ReLU is
    **not** used (nor built). The group outputs :math:`u_1, u_2, u_3`
    (32, 16, 8 px) feed, for each header :math:`i`, a chain of stride-2
    :class:`SepConv` blocks:

    .. math::
        a_1^i = \mathrm{Sep}(c_0 \to c_1)(u_1), \quad
        a_2^i = \mathrm{Sep}(2c_1 \to c_2)([u_2, a_1^i]), \quad
        a_3^i = \mathrm{Sep}(2c_2 \to c_2)([u_3, a_2^i]),

    (16, 8, 4 px), then :math:`f_i = \mathrm{GAP}(a_3^i)`, a :math:`c_2`-d
    vector (the code's ``avg_pool2d(4)`` at 32 px).

    Parameters (counted by our tests) against the method notes' table
    (:math:`K = 100`, 3 headers, each header with its ``Linear(c_2, K)`` in
    :class:`MultiHeaderClassifier`):

    ========== ================= ================ ==================
    student    trunk             per header       total
    ========== ================= ================ ==================
    WRN-40-2   2,242,000 (2.24M) 156,004 (0.156M) 2,710,012 (2.71M)
    WRN-16-2   690,128 (0.69M)   156,004 (0.156M) 1,158,140 (1.16M)
    WRN-16-1   174,288 (0.17M)   44,516 (0.045M)  307,836 (0.31M)
    ========== ================= ================ ==================

    (plus the 101 parameters of the classifier's attention layer).

    Args:
        depth (int): Depth :math:`d` of the WRN trunk. Defaults to 16.
        widen_factor (int): Width :math:`w`. Defaults to 2.
        num_heads (int): Number of headers :math:`N`. Defaults to 3.
        in_channels (int): Number of input image channels. Defaults to 3.
        drop_rate (float): Dropout inside the trunk's blocks.
            Defaults to 0.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None, which means the WRN initialisation
            (Kaiming-normal ``fan_out`` for every convolution, BN weight 1,
            bias 0) for the trunk *and* the branches (ours: the branches'
            initialisation in the official code is not documented).

    Example:
        >>> import torch
        >>> from mmdfkd.models import MultiHeaderWideResNet
        >>> model = MultiHeaderWideResNet(depth=16, widen_factor=2)
        >>> feats = model(torch.rand(2, 3, 32, 32))
        >>> len(feats), feats[0].shape
        (3, torch.Size([2, 128]))
    """

    def __init__(self,
                 depth: int = 16,
                 widen_factor: int = 2,
                 num_heads: int = 3,
                 in_channels: int = 3,
                 drop_rate: float = 0.0,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if init_cfg is None:
            init_cfg = [
                dict(
                    type='Kaiming',
                    layer='Conv2d',
                    mode='fan_out',
                    nonlinearity='relu',
                    distribution='normal'),
                dict(type='Constant', layer='_BatchNorm', val=1, bias=0),
            ]
        super().__init__(init_cfg=init_cfg)
        if num_heads < 1:
            raise ValueError(f'num_heads must be >= 1, got {num_heads}.')
        wrn = WideResNet(
            depth=depth,
            widen_factor=widen_factor,
            in_channels=in_channels,
            drop_rate=drop_rate)
        # same parameter names as WideResNet's, without its final BN
        self.stem = wrn.stem
        self.groups = wrn.groups
        widths = [16 * widen_factor, 32 * widen_factor, 64 * widen_factor]
        self.depth = depth
        self.widen_factor = widen_factor
        self.num_heads = num_heads
        self.out_channels = widths[2]
        self.branches = nn.ModuleList()
        for _ in range(num_heads):
            self.branches.append(
                nn.ModuleList([
                    SepConv(widths[0], widths[1]),
                    SepConv(2 * widths[1], widths[2]),
                    SepConv(2 * widths[2], widths[2]),
                ]))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Forward computation.

        Args:
            x (torch.Tensor): Images of shape ``(N, in_channels, 32, 32)``.

        Returns:
            tuple[torch.Tensor]: ``num_heads`` pooled header features
            :math:`f_i`, each ``(N, 64 * widen_factor)``.
        """
        x = self.stem(x)  # (N, 16, H, W)
        stages = []
        for group in self.groups:
            x = group(x)  # (N, c_k, H / 2**k, W / 2**k), no final BN-ReLU
            stages.append(x)
        feats = []
        for branch in self.branches:
            a = branch[0](stages[0])  # (N, c_1, H / 2, W / 2)
            for u, sep in zip(stages[1:], branch[1:]):
                a = sep(torch.cat([u, a], dim=1))  # (N, c_2, ...)
            feats.append(torch.flatten(F.adaptive_avg_pool2d(a, 1), 1))
        return tuple(feats)  # num_heads x (N, c_2)
