import torch
import torch.nn as nn

from mmdfkd.registry import MODELS
from .base_generator import BaseGenerator


def _up_block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(cout), nn.LeakyReLU(0.2, inplace=True))


@MODELS.register_module()
class DCGANGenerator(BaseGenerator):
    r"""DCGAN-style generator for 128- and 224-pixel images.

    DFAD's ``GeneratorB`` (`Data-Free Adversarial Distillation
    <https://arxiv.org/abs/1912.11006>`_, Caltech-101 at 128 px) and
    CDFKD-MFS's ``GeneratorLarge``/``GeneratorLargeBN`` (`CDFKD-MFS
    <https://arxiv.org/abs/2205.11845>`_, 224 px with ``out_bn=True``):

    .. code-block:: none

        z -> Linear(latent_dim, 8c*(S/16)^2) -> BN(8c)
          -> 4 x [ConvT4x4 s2 -> BN -> LeakyReLU(0.2)]  (8c->4c->2c->c->c)
          -> Conv3x3(c, C) -> Tanh [-> BN(C, affine=False)]

    Args:
        latent_dim (int): Size of z. Defaults to 256.
        img_size (int): Output size, a multiple of 16. Defaults to 128.
        out_channels (int): Image channels. Defaults to 3.
        base_channels (int): :math:`c`. Defaults to 64.
        out_bn (bool): Append an affine-free BN that standardises the output
            (for teachers trained on mean/std-normalised data). Without it
            the output is in [-1, 1], matching data normalised with mean =
            std = 0.5. Defaults to False.
        init_cfg (dict | list, optional): Defaults to DCGAN's initialisation
            (weights ~ N(0, 0.02), BN weights ~ N(1, 0.02)), as DFAD's.
    """

    def __init__(self,
                 latent_dim: int = 256,
                 img_size: int = 128,
                 out_channels: int = 3,
                 base_channels: int = 64,
                 out_bn: bool = False,
                 init_cfg=(dict(
                     type='Normal',
                     layer=['Conv2d', 'ConvTranspose2d', 'Linear'],
                     std=0.02),
                           dict(
                               type='Normal',
                               layer='BatchNorm2d',
                               mean=1.0,
                               std=0.02,
                               bias=0.0))):
        super().__init__(list(init_cfg) if init_cfg is not None else None)
        assert img_size % 16 == 0, \
            f'img_size {img_size} is not a multiple of 16'
        c = base_channels
        self.latent_dim = latent_dim
        self.init_size = img_size // 16
        self.fc = nn.Linear(latent_dim, 8 * c * self.init_size**2)
        self.bn0 = nn.BatchNorm2d(8 * c)
        self.ups = nn.Sequential(
            _up_block(8 * c, 4 * c), _up_block(4 * c, 2 * c),
            _up_block(2 * c, c), _up_block(c, c))
        self.conv_out = nn.Conv2d(c, out_channels, 3, padding=1)
        self.out_bn = nn.BatchNorm2d(
            out_channels, affine=False) if out_bn else nn.Identity()

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Map latent codes (N, latent_dim) to images (N, C, S, S)."""
        x = self.fc(z).view(z.size(0), -1, self.init_size, self.init_size)
        x = self.ups(self.bn0(x))                            # (N, c, S, S)
        x = torch.tanh(self.conv_out(x))                     # (N, C, S, S)
        return self.out_bn(x)
