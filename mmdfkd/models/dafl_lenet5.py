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
        out_indices (Sequence[int]): Blocks whose outputs are returned, as
            mmpretrain backbones do: 0 and 1 are the pooled feature maps
            ``(N, c1, 14, 14)`` and ``(N, c2, 5, 5)`` at 32 px, 2 the
            flattened last convolution ``(N, c3)``. Defaults to ``(2, )``.

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
                 norm_cfg: Optional[dict] = None,
                 out_indices: Sequence[int] = (2, )) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(channels) != 3:
            raise ValueError('`channels` must have 3 values (c1, c2, c3), '
                             f'but got {tuple(channels)}.')
        out_indices = tuple(i % 3 for i in out_indices)
        if not out_indices or sorted(set(out_indices)) != list(out_indices):
            raise ValueError('`out_indices` must be increasing block indices '
                             f'in 0..2, but got {out_indices}.')
        self.out_indices = out_indices
        c1, c2, c3 = channels
        self.in_channels = in_channels
        self.channels = tuple(channels)
        self.norm_cfg = norm_cfg
        layers = []
        self.block_ends = []  # index in `features` after which block i ends
        cin = in_channels
        for i, cout in enumerate(channels):
            layers.append(
                nn.Conv2d(cin, cout, kernel_size=5, bias=norm_cfg is None))
            if norm_cfg is not None:
                layers.append(build_norm_layer(norm_cfg, cout)[1])
            layers.append(nn.ReLU(inplace=True))
            if i < 2:
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            self.block_ends.append(len(layers) - 1)
            cin = cout
        # without norm_cfg: the keys features.{0,3,6} of the original network
        self.features = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor]:
        """Forward computation.

        Args:
            x (torch.Tensor): Images of shape ``(N, in_channels, 32, 32)``.

        Returns:
            tuple[torch.Tensor]: The outputs of the blocks in
            ``out_indices``; block 2's is ``(N, c3)`` (for other input
            sizes, ``(N, c3 * h * w)`` with ``h, w`` the size of the last
            feature map).
        """
        outs, block = [], 0
        for j, layer in enumerate(self.features):
            x = layer(x)
            if j == self.block_ends[block]:  # the end of block `block`
                if block in self.out_indices:
                    # (N, c1, 14, 14), (N, c2, 5, 5) or flattened (N, c3)
                    outs.append(torch.flatten(x, 1) if block == 2 else x)
                block += 1
        return tuple(outs)
