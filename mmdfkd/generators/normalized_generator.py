from typing import Sequence

import torch

from mmdfkd.registry import MODELS
from .base_generator import BaseGenerator


@MODELS.register_module()
class NormalizedGenerator(BaseGenerator):
    r"""A generator of ``[0, 1]`` images made an image source in the
    teacher's input space: :math:`(255\, G(z) - \mu) / \sigma`.

    zju-vipa's benchmark feeds its Sigmoid generator (``Generator``, here
    :class:`InversionGenerator`) through a ``Normalizer`` for every
    generator-based method (DFQ, ZSKT, DAFL, DFAD there); this is that pair
    as one persistent generator, trained by the algorithm's
    ``optim_wrapper['generator']``.

    Args:
        generator (dict): The ``[0, 1]`` generator, e.g.
            ``dict(type='InversionGenerator', latent_dim=256, ...)``.
        mean (Sequence[float]): Per-channel mean in 0..255 units (the
            algorithm's ``data_preprocessor`` mean).
        std (Sequence[float]): Per-channel std, the same units.
    """

    def __init__(self, generator: dict, mean: Sequence[float],
                 std: Sequence[float]):
        super().__init__()
        self.generator = MODELS.build(generator)
        self.latent_dim = self.generator.latent_dim
        self.register_buffer('mean', torch.tensor(mean).view(1, -1, 1, 1),
                             persistent=False)
        self.register_buffer('std', torch.tensor(std).view(1, -1, 1, 1),
                             persistent=False)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return (self.generator(z) * 255. - self.mean) / self.std
