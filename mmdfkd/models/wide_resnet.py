from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmdfkd.registry import MODELS


class PreActBasicBlock(nn.Module):
    """Pre-activation basic block of a wide residual network.

    ``BN-ReLU-conv3x3(stride)-BN-ReLU-[dropout]-conv3x3``, added to the
    identity, or, when the width or the resolution changes, to a 1x1
    convolution of the *pre-activated* input (the convention of the
    reference implementation used by data-free KD papers).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        stride (int): Stride of the first convolution. Defaults to 1.
        drop_rate (float): Dropout probability between the two convolutions.
            Defaults to 0.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int = 1,
                 drop_rate: float = 0.0) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(
            in_channels,
            out_channels,
            kernel_size=3,
            stride=stride,
            padding=1,
            bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(
            out_channels,
            out_channels,
            kernel_size=3,
            stride=1,
            padding=1,
            bias=False)
        self.drop_rate = drop_rate
        self.has_projection = in_channels != out_channels or stride != 1
        if self.has_projection:
            self.shortcut = nn.Conv2d(
                in_channels,
                out_channels,
                kernel_size=1,
                stride=stride,
                bias=False)
        else:
            self.shortcut = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Forward computation."""
        pre = F.relu(self.bn1(x))  # (N, C_in, H, W)
        out = self.conv1(pre)  # (N, C_out, H / s, W / s)
        out = F.relu(self.bn2(out))
        if self.drop_rate > 0:
            out = F.dropout(out, p=self.drop_rate, training=self.training)
        out = self.conv2(out)  # (N, C_out, H / s, W / s)
        identity = self.shortcut(pre) if self.has_projection else x
        return identity + out


@MODELS.register_module()
class WideResNet(BaseModule):
    r"""Wide residual network for 32x32 images.

    `Wide Residual Networks <https://arxiv.org/abs/1605.07146>`_ (WRN-d-w),
    in the layout of the xternalz/WideResNet-pytorch implementation that
    data-free knowledge distillation papers use for their CIFAR teachers and
    students (WRN-40-2, WRN-40-1, WRN-16-2, WRN-16-1; e.g.
    `ZSKT <https://arxiv.org/abs/1905.09768>`_,
    `CMI <https://arxiv.org/abs/2105.08584>`_,
    `CDFKD-MFS <https://arxiv.org/abs/2205.11845>`_):

    - a 3x3 convolution stem with 16 channels;
    - three groups of :math:`n = (d - 4) / 6` pre-activation basic blocks
      with :math:`16w, 32w, 64w` channels and strides 1, 2, 2;
    - a final BN-ReLU on the output of the last group.

    The classifier is not part of the backbone: combine it with a
    ``GlobalAveragePooling`` neck and a ``LinearClsHead`` with
    ``in_channels=64 * widen_factor``. With 10 classes, WRN-40-2 has
    2,243,546 parameters and WRN-16-1 has 175,066.

    Args:
        depth (int): Depth :math:`d`; :math:`d - 4` must be divisible by 6.
            Defaults to 40.
        widen_factor (int): Width multiplier :math:`w`. Defaults to 2.
        in_channels (int): Number of input image channels. Defaults to 3.
        drop_rate (float): Dropout probability inside each block.
            Defaults to 0.
        out_indices (Sequence[int]): Which groups (0, 1, 2) to output.
            Index 2 is taken after the final BN-ReLU; indices 0 and 1 are
            the raw (pre-activation) group outputs. Defaults to ``(2, )``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None, which means Kaiming-normal (``fan_out``,
            ReLU) for convolutions and weight 1, bias 0 for BatchNorm, as in
            the reference implementation.

    Example:
        >>> import torch
        >>> from mmdfkd.models import WideResNet
        >>> model = WideResNet(depth=40, widen_factor=2)
        >>> feats = model(torch.rand(2, 3, 32, 32))
        >>> feats[0].shape
        torch.Size([2, 128, 8, 8])
    """

    def __init__(self,
                 depth: int = 40,
                 widen_factor: int = 2,
                 in_channels: int = 3,
                 drop_rate: float = 0.0,
                 out_indices: Sequence[int] = (2, ),
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
        if depth < 10 or (depth - 4) % 6 != 0:
            raise ValueError('WideResNet depth must be 6n + 4 with n >= 1 '
                             f'(e.g. 16, 28, 40), but got {depth}.')
        if isinstance(out_indices, int):
            out_indices = (out_indices, )
        for index in out_indices:
            if not 0 <= index <= 2:
                raise ValueError('out_indices must be in 0..2, but got '
                                 f'{tuple(out_indices)}.')
        self.depth = depth
        self.widen_factor = widen_factor
        self.out_indices = tuple(out_indices)
        num_blocks = (depth - 4) // 6
        widths = [16 * widen_factor, 32 * widen_factor, 64 * widen_factor]

        self.stem = nn.Conv2d(
            in_channels, 16, kernel_size=3, stride=1, padding=1, bias=False)
        self.groups = nn.ModuleList()
        group_in = 16
        for width, stride in zip(widths, (1, 2, 2)):
            blocks = []
            for i in range(num_blocks):
                blocks.append(
                    PreActBasicBlock(
                        group_in if i == 0 else width,
                        width,
                        stride=stride if i == 0 else 1,
                        drop_rate=drop_rate))
            self.groups.append(nn.Sequential(*blocks))
            group_in = width
        self.final_bn = nn.BatchNorm2d(widths[-1])
        self.out_channels = widths[-1]

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Forward computation.

        Args:
            x (torch.Tensor): Images of shape ``(N, in_channels, H, W)``.

        Returns:
            tuple[torch.Tensor]: The outputs of the groups in
            ``out_indices``; at 32 px, group ``i`` has shape
            ``(N, 16 * 2**i * widen_factor, 32 / 2**i, 32 / 2**i)``.
        """
        x = self.stem(x)  # (N, 16, H, W)
        outs = []
        for i, group in enumerate(self.groups):
            x = group(x)  # (N, 16 * 2**i * w, H / 2**i, W / 2**i)
            if i == len(self.groups) - 1:
                x = F.relu(self.final_bn(x))  # (N, 64w, H / 4, W / 4)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)
