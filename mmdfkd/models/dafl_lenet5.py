from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
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

    All convolutions are valid (no padding) and there is no normalisation
    layer. On a 32x32 input the last convolution sees a 5x5 map, so it acts
    as a fully connected layer and the output is ``(N, c3)``. The two fully
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

    Args:
        in_channels (int): Number of input image channels. Defaults to 1.
        channels (Sequence[int]): Output channels ``(c1, c2, c3)`` of the
            three convolutions. Defaults to ``(6, 16, 120)``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None, which keeps PyTorch's default initialisation,
            as the original code does.

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
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(channels) != 3:
            raise ValueError('`channels` must have 3 values (c1, c2, c3), '
                             f'but got {tuple(channels)}.')
        c1, c2, c3 = channels
        self.in_channels = in_channels
        self.channels = tuple(channels)
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, c1, kernel_size=5),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(c1, c2, kernel_size=5),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(c2, c3, kernel_size=5),
            nn.ReLU(inplace=True),
        )

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
