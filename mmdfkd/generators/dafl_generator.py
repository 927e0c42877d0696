import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS
from .base_generator import BaseGenerator


@MODELS.register_module()
class DAFLGenerator(BaseGenerator):
    r"""The 32-pixel generator of DAFL, also used by DFAD, RDSKD and
    CDFKD-MFS.

    From `Data-Free Learning of Student Networks
    <https://arxiv.org/abs/1904.01186>`_ (Chen et al., ICCV 2019), official
    code. With :math:`S` the image size and :math:`c` ``base_channels``:

    .. code-block:: none

        z -> Linear(latent_dim, c*(S/4)^2) -> BN(c) -> Up x2
          -> Conv3x3(c, c)    -> BN(c, eps)    -> LeakyReLU(0.2) -> Up x2
          -> Conv3x3(c, c/2)  -> BN(c/2, eps)  -> LeakyReLU(0.2)
          -> Conv3x3(c/2, C)  -> Tanh -> BN(C, affine=False)

    The last, affine-free BN standardises every channel over the batch, so
    the output lives in the teacher's normalised input space. DAFL passes
    ``eps=0.8`` to the two inner BNs (a positional-argument quirk that every
    derived method kept); DFAD's ``GeneratorA`` uses ``1e-5``.

    Args:
        latent_dim (int): Size of z. Defaults to 100.
        img_size (int): Output size, a multiple of 4. Defaults to 32.
        out_channels (int): Image channels. Defaults to 3.
        base_channels (int): :math:`c` (128 in every paper). Defaults to 128.
        bn_eps (float): eps of the two inner BNs. Defaults to 0.8.
        init_cfg (dict, optional): Initialisation. Defaults to None
            (PyTorch's default, as in the official code).
    """

    def __init__(self,
                 latent_dim: int = 100,
                 img_size: int = 32,
                 out_channels: int = 3,
                 base_channels: int = 128,
                 bn_eps: float = 0.8,
                 init_cfg=None):
        super().__init__(init_cfg)
        assert img_size % 4 == 0, f'img_size {img_size} is not a multiple of 4'
        c = base_channels
        self.latent_dim = latent_dim
        self.init_size = img_size // 4
        self.fc = nn.Linear(latent_dim, c * self.init_size**2)
        self.bn0 = nn.BatchNorm2d(c)
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(c, eps=bn_eps)
        self.conv2 = nn.Conv2d(c, c // 2, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(c // 2, eps=bn_eps)
        self.conv3 = nn.Conv2d(c // 2, out_channels, 3, padding=1)
        self.out_bn = nn.BatchNorm2d(out_channels, affine=False)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Map latent codes (N, latent_dim) to images (N, C, S, S)."""
        x = self.fc(z)                                       # (N, c*s*s)
        x = x.view(z.size(0), -1, self.init_size, self.init_size)
        x = F.interpolate(self.bn0(x), scale_factor=2)       # (N, c, 2s, 2s)
        x = F.leaky_relu(self.bn1(self.conv1(x)), 0.2)
        x = F.interpolate(x, scale_factor=2)                 # (N, c, S, S)
        x = F.leaky_relu(self.bn2(self.conv2(x)), 0.2)       # (N, c/2, S, S)
        x = torch.tanh(self.conv3(x))                        # (N, C, S, S)
        return self.out_bn(x)
