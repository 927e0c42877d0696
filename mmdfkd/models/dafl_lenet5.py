from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule

from mmdfkd.registry import MODELS


@MODELS.register_module()
class DAFLLeNet5(BaseModule):
    r"""The LeNet-5 convolutional trunk of DAFL, DFAD and RDSKD.

    This is the LeNet-5 used on 1x32x32 MNIST-like inputs (28x28 images
    resized to 32x32) by `DAFL <https://arxiv.org/abs/1904.01186>`_,
    `DFAD <https://arxiv.org/abs/1912.11006>`_ and
    `RDSKD <https://arxiv.org/abs/2011.03749>`_:

    .. code-block:: none

        conv5x5(in -> c1) - ReLU - maxpool2
        conv5x5(c1 -> c2) - ReLU - maxpool2
        conv5x5(c2 -> c3) - ReLU - flatten

    All convolutions are valid (no padding) and, by default, there is no
    normalisation layer. On a 32x32 input the last convolution sees a 5x5
    map, so it acts as a fully connected layer and the output is
    ``(N, c3)``. The two fully
    connected layers of the original network live in the head; with
    mmpretrain's ``StackedLinearClsHead`` (ReLU between the layers):

    - ``channels=(6, 16, 120)`` with
      ``StackedLinearClsHead(num_classes=10, in_channels=120,
      mid_channels=[84])`` is the LeNet-5 teacher, 61,706 parameters.
    - ``channels=(3, 8, 60)`` with
      ``StackedLinearClsHead(num_classes=10, in_channels=60,
      mid_channels=[42])`` is "LeNet-5-Half (DAFL variant)", 15,738
      parameters, the DAFL/DFAD/RDSKD student. It is *not* the 35,820
      parameter LeNet-5-Half of ZSKD/DeGAN, which halves only the
      convolutions.

    With ``norm_cfg`` (ours, not in DAFL), each convolution loses its bias
    and is followed by a normalisation layer before the ReLU
    (``conv - BN - ReLU [- maxpool]``). This gives digits teachers
    BatchNorm running statistics for the BN-statistics loss of
    DeepInversion / `CDFKD-MFS <https://arxiv.org/abs/2205.11845>`_. The
    LeNet-5 classifier then has 61,848 parameters (61,706 - 142 biases +
    2 x 142 BN affine parameters).

    Args:
        in_channels (int): Number of input image channels. Defaults to 1.
        channels (Sequence[int]): Output channels ``(c1, c2, c3)`` of the
            three convolutions. Defaults to ``(6, 16, 120)``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None, which keeps PyTorch's default initialisation,
            as the original code does.
        norm_cfg (dict, optional): Normalisation layer after each
            convolution, e.g. ``dict(type='BN')``. Defaults to None (no
            normalisation: the original network).

    Example:
        >>> import torch
        >>> from mmdfkd.models import DAFLLeNet5
        >>> model = DAFLLeNet5()
        >>> feats = model(torch.rand(2, 1, 32, 32))
        >>> feats[0].shape
        torch.Size([2, 120])
    """

    def __init__(self,
                 in_channels: int = 1,
                 channels: Sequence[int] = (6, 16, 120),
                 init_cfg: Optional[Union[dict, list]] = None,
                 norm_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(channels) != 3:
            raise ValueError('`channels` must have 3 values (c1, c2, c3), '
                             f'but got {tuple(channels)}.')
        c1, c2, c3 = channels
        self.in_channels = in_channels
        self.channels = tuple(channels)
        self.norm_cfg = norm_cfg
        layers = []
        cin = in_channels
        for i, cout in enumerate(channels):
            layers.append(
                nn.Conv2d(cin, cout, kernel_size=5, bias=norm_cfg is None))
            if norm_cfg is not None:
                layers.append(build_norm_layer(norm_cfg, cout)[1])
            layers.append(nn.ReLU(inplace=True))
            if i < 2:
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            cin = cout
        # without norm_cfg: the keys features.{0,3,6} of the original network
        self.features = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        """Forward computation.

        Args:
            x (torch.Tensor): Images of shape ``(N, in_channels, 32, 32)``.

        Returns:
            tuple[torch.Tensor]: One tensor of shape ``(N, c3)`` (for other
            input sizes, ``(N, c3 * h * w)`` with ``h, w`` the size of the
            last feature map).
        """
        x = self.features(x)  # (N, c3, 1, 1) at 32 px
        x = torch.flatten(x, 1)  # (N, c3)
        return (x, )
