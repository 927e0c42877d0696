import inspect
from typing import Optional

import torch

from mmdfkd.registry import MODELS
from .conditional_generator_mixin import ConditionalGeneratorMixin
from .dcgan_generator import DCGANGenerator

# DCGANGenerator's default initialisation, read off its signature so that
# the two defaults cannot drift apart.
_DCGAN_INIT_CFG = inspect.signature(DCGANGenerator).parameters[
    'init_cfg'].default


@MODELS.register_module()
class ConditionalDCGANGenerator(ConditionalGeneratorMixin, DCGANGenerator):
    r"""Class-conditional :class:`DCGANGenerator` :math:`G(z, y)` of CGDD,
    for 128- and 224-pixel images.

    The layers are DCGANGenerator's; the label :math:`y` enters as chosen by
    ``condition``:

    .. code-block:: none

        embedding: z -> z * E[y] -> Linear -> ...      (E: Embedding(K, d))
        cbn:       bn0 and the BN of the 4 up blocks -> ConditionalBatchNorm2d
        both:      embedding and cbn
        none:      DCGANGenerator, y ignored (ablation)

    The optional affine-free ``out_bn`` is kept in every mode. With
    ``condition='none'`` the parameters and state_dict keys are exactly
    those of :class:`DCGANGenerator`; ``'embedding'`` adds
    ``label_emb.weight``; ``'cbn'`` turns each BN's ``weight``/``bias``
    (``bn0.*``, ``ups.{i}.1.*``) into ``scale.weight``/``shift.weight`` and
    moves its running statistics under ``bn.``. DCGAN's initialisation only
    touches layers named ``BatchNorm2d``, so it leaves the conditional BNs at
    scale 1 and shift 0 (they have no N(1, 0.02) jitter) and the label
    embedding at N(0, 1).

    Args:
        num_classes (int): :math:`K`, the number of classes.
        condition (str): ``'embedding'``, ``'cbn'``, ``'both'`` or
            ``'none'``. Defaults to ``'embedding'``.
        latent_dim (int): :math:`d`, the size of z. Defaults to 256.
        img_size (int): Output size, a multiple of 16. Defaults to 128.
        out_channels (int): Image channels. Defaults to 3.
        base_channels (int): :math:`c`. Defaults to 64.
        out_bn (bool): Append an affine-free BN that standardises the output.
            Defaults to False.
        init_cfg (dict | list, optional): Defaults to DCGANGenerator's
            (weights ~ N(0, 0.02), BN weights ~ N(1, 0.02)).
    """

    def __init__(self,
                 num_classes: int,
                 condition: str = 'embedding',
                 latent_dim: int = 256,
                 img_size: int = 128,
                 out_channels: int = 3,
                 base_channels: int = 64,
                 out_bn: bool = False,
                 init_cfg=_DCGAN_INIT_CFG):
        super().__init__(
            latent_dim=latent_dim,
            img_size=img_size,
            out_channels=out_channels,
            base_channels=base_channels,
            out_bn=out_bn,
            init_cfg=init_cfg)
        # each up block is Sequential(ConvT, BN, LeakyReLU)
        self._init_condition(
            num_classes, condition,
            ['bn0'] + [f'ups.{i}.1' for i in range(len(self.ups))])

    def forward(self,
                z: torch.Tensor,
                labels: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Map latent codes (N, latent_dim) and labels (N,) in
        [0, num_classes) to images (N, C, S, S). ``labels`` may be None only
        when ``condition='none'``."""
        z = self._embed(z, labels)                           # (N, d)
        x = self.fc(z).view(z.size(0), -1, self.init_size, self.init_size)
        x = self._norm(self.bn0, x, labels)                  # (N, 8c, s, s)
        for conv, bn, act in self.ups:                       # x2 each
            x = act(self._norm(bn, conv(x), labels))
        x = torch.tanh(self.conv_out(x))                     # (N, C, S, S)
        return self.out_bn(x)
