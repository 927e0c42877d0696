from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS


class DepthwiseConv2d(nn.Conv2d):
    """A depthwise ``nn.Conv2d`` (same weights and keys) that runs in
    float32 under CPU autocast.

    oneDNN's bfloat16 depthwise kernels are far slower than its float32 ones
    on CPU (the backward of a 16-channel stride-2 3x3 depthwise convolution:
    15.3 ms in bfloat16 against 1.5 ms in float32, one thread), so under CPU
    autocast this layer computes in float32, which is also the more precise
    choice. Elsewhere (CUDA, no autocast) it is a plain ``nn.Conv2d``.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x, self.weight, self.bias, self.groups)

    def conv(self, x: torch.Tensor, weight: torch.Tensor,
             bias: Optional[torch.Tensor], groups: int) -> torch.Tensor:
        """This layer's convolution with the given (e.g. stacked) weights."""
        if x.device.type == 'cpu' and torch.is_autocast_enabled('cpu'):
            with torch.autocast('cpu', enabled=False):
                return F.conv2d(x.float(), weight, bias, self.stride,
                                self.padding, self.dilation, groups)
        return F.conv2d(x, weight, bias, self.stride, self.padding,
                        self.dilation, groups)


def grouped_conv(convs: Sequence[nn.Conv2d], x: torch.Tensor) -> torch.Tensor:
    """``len(convs)`` convolutions of one shape applied in one grouped call:
    conv ``h`` maps channel block ``h`` of ``x`` to channel block ``h`` of
    the output (``(N, H C_in, ...) -> (N, H C_out, ...)``)."""
    first = convs[0]
    weight = torch.cat([c.weight for c in convs])
    bias = None if first.bias is None else torch.cat([c.bias for c in convs])
    groups = first.groups * len(convs)
    if isinstance(first, DepthwiseConv2d):
        return first.conv(x, weight, bias, groups)
    return F.conv2d(x, weight, bias, first.stride, first.padding,
                    first.dilation, groups)


def grouped_batch_norm(bns: Sequence[nn.BatchNorm2d],
                       x: torch.Tensor) -> torch.Tensor:
    """``len(bns)`` BatchNorm layers on consecutive channel blocks of ``x``
    in one call; in training their running statistics are updated exactly
    as each layer would update its own (they are per channel)."""
    first = bns[0]
    if first.momentum is None or not first.track_running_stats:
        raise ValueError('grouped_batch_norm needs BatchNorm layers with '
                         'running statistics and a momentum.')
    mean = torch.cat([b.running_mean for b in bns])
    var = torch.cat([b.running_var for b in bns])
    out = F.batch_norm(x, mean, var, torch.cat([b.weight for b in bns]),
                       torch.cat([b.bias for b in bns]), first.training,
                       first.momentum, first.eps)
    if first.training:
        with torch.no_grad():
            for b, m, v in zip(bns, mean.split(first.num_features),
                               var.split(first.num_features)):
                b.running_mean.copy_(m)
                b.running_var.copy_(v)
                b.num_batches_tracked.add_(1)
    return out


def grouped_sequential(blocks: Sequence[nn.Sequential],
                       x: torch.Tensor) -> torch.Tensor:
    """Sequential blocks of one layout (convolutions, BatchNorm, ReLU) on
    consecutive channel blocks of ``x`` in one pass of grouped layers:
    ``(N, H C_in, ...) -> (N, H C_out, ...)``, the result and running
    statistics of ``H`` separate calls up to float rounding, with
    :math:`1/H` of the kernel launches."""
    for layers in zip(*blocks):
        if isinstance(layers[0], nn.Conv2d):
            x = grouped_conv(layers, x)
        elif isinstance(layers[0], nn.BatchNorm2d):
            x = grouped_batch_norm(layers, x)
        elif isinstance(layers[0], nn.ReLU):
            x = layers[0](x)
        else:
            raise TypeError(f'grouped_sequential: no grouped form of '
                            f'{type(layers[0]).__name__}.')
    return x


@MODELS.register_module()
class SepConv(nn.Module):
    r"""Separable convolution block of the CDFKD-MFS multi-header students.

    The DARTS-style separable convolution of `CDFKD-MFS
    <https://arxiv.org/abs/2205.11845>`_ (Hao et al., IEEE TMM 2022; code
    ``nets/mhresnet8x.py``), in the order given by our method notes (§3.2):

    .. code-block:: none

        DWConv3x3(C_in, stride s) - PWConv1x1(C_in -> C_in) - BN(C_in) - ReLU
        - DWConv3x3(C_in, stride 1) - PWConv1x1(C_in -> C_out) - BN(C_out)
        - ReLU

    All convolutions have no bias and 3x3 ones have padding 1, so the
    spatial size goes from :math:`H` to :math:`\lceil H / s \rceil`. It has
    :math:`2 \cdot 9 C_{in} + C_{in}^2 + C_{in} C_{out} + 2 C_{in} +
    2 C_{out}` parameters.

    Args:
        in_channels (int): Input channels :math:`C_{in}`.
        out_channels (int): Output channels :math:`C_{out}`.
        stride (int): Stride :math:`s` of the first depthwise convolution.
            Defaults to 2.

    Example:
        >>> import torch
        >>> from mmdfkd.models import SepConv
        >>> SepConv(64, 128)(torch.rand(2, 64, 32, 32)).shape
        torch.Size([2, 128, 16, 16])
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stride: int = 2) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.stride = stride
        self.layers = nn.Sequential(
            DepthwiseConv2d(
                in_channels,
                in_channels,
                kernel_size=3,
                stride=stride,
                padding=1,
                groups=in_channels,
                bias=False),
            nn.Conv2d(in_channels, in_channels, kernel_size=1, bias=False),
            nn.BatchNorm2d(in_channels),
            nn.ReLU(inplace=True),
            DepthwiseConv2d(
                in_channels,
                in_channels,
                kernel_size=3,
                stride=1,
                padding=1,
                groups=in_channels,
                bias=False),
            nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C_in, H, W) -> (N, C_out, ceil(H / s), ceil(W / s))."""
        return self.layers(x)
