import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS
from .base_generator import BaseGenerator


@MODELS.register_module()
class ZSKTGenerator(BaseGenerator):
    r"""The generator of ZSKT.

    From `Zero-shot Knowledge Transfer via Adversarial Belief Matching
    <https://arxiv.org/abs/1905.09768>`_ (Micaelli & Storkey, NeurIPS
    2019), official code (polo5/ZeroShotKnowledgeTransfer,
    ``models/generator.py``). With :math:`S` the image size and :math:`c`
    ``base_channels``:

    .. code-block:: none

        z -> Linear(latent_dim, c*(S/4)^2) -> BN(c) -> Up x2
          -> Conv3x3(c, c)    -> BN(c)   -> LeakyReLU(0.2) -> Up x2
          -> Conv3x3(c, c/2)  -> BN(c/2) -> LeakyReLU(0.2)
          -> Conv3x3(c/2, C)  -> BN(C, affine=True)

    It is the DAFL generator (:class:`DAFLGenerator`) without the Tanh, with
    the default BN eps (1e-5) everywhere, and with a learnable affine
    output BN: the images are standardised per channel over the batch and
    then rescaled and shifted by learned per-channel parameters, in the
    teacher's normalised input space.

    Args:
        latent_dim (int): Size of z. Defaults to 100 (ZSKT's ``z_dim``).
        img_size (int): Output size, a multiple of 4. Defaults to 32.
        out_channels (int): Image channels. Defaults to 3.
        base_channels (int): :math:`c` (128 in ZSKT). Defaults to 128.
        init_cfg (dict, optional): Initialisation. Defaults to None
            (PyTorch's default, as in the official code).
    """

    def __init__(self,
                 latent_dim: int = 100,
                 img_size: int = 32,
                 out_channels: int = 3,
                 base_channels: int = 128,
                 init_cfg=None):
        super().__init__(init_cfg)
        assert img_size % 4 == 0, f'img_size {img_size} is not a multiple of 4'
        c = base_channels
        self.latent_dim = latent_dim
        self.init_size = img_size // 4
        self.fc = nn.Linear(latent_dim, c * self.init_size**2)
        self.bn0 = nn.BatchNorm2d(c)
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c // 2, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(c // 2)
        self.conv3 = nn.Conv2d(c // 2, out_channels, 3, padding=1)
        self.out_bn = nn.BatchNorm2d(out_channels, affine=True)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Map latent codes (N, latent_dim) to images (N, C, S, S)."""
        x = self.fc(z)                                       # (N, c*s*s)
        x = x.view(z.size(0), -1, self.init_size, self.init_size)
        x = F.interpolate(self.bn0(x), scale_factor=2)       # (N, c, 2s, 2s)
        x = F.leaky_relu(self.bn1(self.conv1(x)), 0.2)
        x = F.interpolate(x, scale_factor=2)                 # (N, c, S, S)
        x = F.leaky_relu(self.bn2(self.conv2(x)), 0.2)       # (N, c/2, S, S)
        return self.out_bn(self.conv3(x))                    # (N, C, S, S)
