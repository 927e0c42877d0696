import torch
import torch.nn as nn

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
        if x.device.type == 'cpu' and torch.is_autocast_enabled('cpu'):
            with torch.autocast('cpu', enabled=False):
                return super().forward(x.float())
        return super().forward(x)


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
