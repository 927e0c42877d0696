import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS


@MODELS.register_module()
class InversionGenerator(nn.Module):
    r"""The 32-pixel generator of CMI, Fast DFKD and NAYER (zju-vipa's
    ``datafree/models/generator.py``, ``Generator``).

    With :math:`S` the image size and :math:`c` ``base_channels``:

    .. code-block:: none

        z -> Linear(latent_dim, 2c*(S/4)^2) -> BN(2c) -> Up x2
          -> Conv3x3(2c, 2c, no bias) -> BN -> LeakyReLU(0.2) -> Up x2
          -> Conv3x3(2c, c, no bias)  -> BN -> LeakyReLU(0.2)
          -> Conv3x3(c, C) -> Sigmoid

    Unlike :class:`DAFLGenerator` the output is an image in ``[0, 1]``; the
    synthesizer normalises it with the teacher's mean and std. It is no
    image source of its own: round-based synthesizers
    (:class:`~mmdfkd.synthesizers.FastSynthesizer`, ...) own it, clone it
    and re-initialise it.

    Args:
        latent_dim (int): Size of z (``nz``, 256 in CMI / Fast). Defaults to
            256.
        img_size (int): Output size, a multiple of 4. Defaults to 32.
        out_channels (int): Image channels. Defaults to 3.
        base_channels (int): :math:`c` (``ngf``, 64). Defaults to 64.
        in_features (int, optional): Size of the first layer's input when
            it is not ``latent_dim`` (NAYER's 1000-d noisy-layer output).
            Defaults to None.
    """

    def __init__(self,
                 latent_dim: int = 256,
                 img_size: int = 32,
                 out_channels: int = 3,
                 base_channels: int = 64,
                 in_features=None):
        super().__init__()
        assert img_size % 4 == 0, f'img_size {img_size} is not a multiple of 4'
        c = base_channels
        self.latent_dim = latent_dim
        self.img_size = img_size
        self.out_channels = out_channels
        self.init_size = img_size // 4
        self.fc = nn.Linear(in_features or latent_dim,
                            2 * c * self.init_size**2)
        self.bn0 = nn.BatchNorm2d(2 * c)
        self.conv1 = nn.Conv2d(2 * c, 2 * c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(2 * c)
        self.conv2 = nn.Conv2d(2 * c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.conv3 = nn.Conv2d(c, out_channels, 3, padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Map codes (N, latent_dim) to images (N, C, S, S) in [0, 1]."""
        return self.render(self.level0(z), 0)

    def level0(self, z: torch.Tensor) -> torch.Tensor:
        """The BN-ed first layer (N, 2c, S/4, S/4): level 0."""
        x = self.fc(z).view(z.size(0), -1, self.init_size, self.init_size)
        return self.bn0(x)

    def level1(self, x: torch.Tensor) -> torch.Tensor:
        """Level 0 -> level 1, the first conv block (N, 2c, S/2, S/2)."""
        x = F.interpolate(x, scale_factor=2)
        return F.leaky_relu(self.bn1(self.conv1(x)), 0.2)

    def level2(self, x: torch.Tensor) -> torch.Tensor:
        """Level 1 -> level 2, the second conv block (N, c, S, S)."""
        x = F.interpolate(x, scale_factor=2)
        return F.leaky_relu(self.bn2(self.conv2(x)), 0.2)

    def levels(self, z: torch.Tensor):
        """Images (N, C, S, S) and the features of levels 0, 1, 2 from one
        pass (SpaceshipNet's ``CMIGeneratorV3.forward``)."""
        f0 = self.level0(z)
        f1 = self.level1(f0)
        f2 = self.level2(f1)
        return torch.sigmoid(self.conv3(f2)), [f0, f1, f2]

    def render(self, features: torch.Tensor, level: int) -> torch.Tensor:
        """The layers after ``level`` applied to its ``features``
        (SpaceshipNet's ``generate_using_convout``): images in [0, 1]."""
        x = features
        if level == 0:
            x = self.level1(x)
        if level <= 1:
            x = self.level2(x)
        return torch.sigmoid(self.conv3(x))                 # (N, C, S, S)

    def reset_parameters(self, std: float = 0.02) -> None:
        """CMI's re-initialisation: conv and linear weights
        :math:`\\mathcal{N}(0, 0.02)`, biases 0, BN weights
        :math:`\\mathcal{N}(1, 0.02)`; running statistics reset."""
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(m.weight, 0.0, std)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.normal_(m.weight, 1.0, std)
                nn.init.zeros_(m.bias)
                m.reset_running_stats()

    def reset_first_layer(self, std: float = 0.02) -> None:
        """Fast DFKD's ``reset_l0``: the first linear layer re-drawn."""
        nn.init.normal_(self.fc.weight, 0.0, std)
        nn.init.zeros_(self.fc.bias)
