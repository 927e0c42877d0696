from typing import Optional

import torch
import torch.nn.functional as F

from mmdfkd.registry import MODELS
from .conditional_generator_mixin import ConditionalGeneratorMixin
from .dafl_generator import DAFLGenerator


@MODELS.register_module()
class ConditionalDAFLGenerator(ConditionalGeneratorMixin, DAFLGenerator):
    r"""Class-conditional :class:`DAFLGenerator` :math:`G(z, y)` of CGDD.

    CGDD trains a conditional generator with preset labels as ground truth.
    The layers are DAFL's (32 px); the label :math:`y` enters as chosen by
    ``condition``:

    .. code-block:: none

        embedding: z -> z * E[y] -> Linear -> ...      (E: Embedding(K, d))
        cbn:       bn0, bn1, bn2 -> ConditionalBatchNorm2d (same eps)
        both:      embedding and cbn
        none:      DAFLGenerator, y ignored (ablation)

    The final affine-free ``out_bn`` is kept in every mode. With
    ``condition='none'`` the parameters and state_dict keys are exactly
    those of :class:`DAFLGenerator`; ``'embedding'`` adds
    ``label_emb.weight``; ``'cbn'`` turns each ``bn{i}.weight``/``bias`` into
    ``bn{i}.scale.weight``/``bn{i}.shift.weight`` and moves the running
    statistics to ``bn{i}.bn.*``.

    Args:
        num_classes (int): :math:`K`, the number of classes.
        condition (str): ``'embedding'``, ``'cbn'``, ``'both'`` or
            ``'none'``. Defaults to ``'embedding'``.
        latent_dim (int): :math:`d`, the size of z. Defaults to 100.
        img_size (int): Output size, a multiple of 4. Defaults to 32.
        out_channels (int): Image channels. Defaults to 3.
        base_channels (int): Channels of the first feature map.
            Defaults to 128.
        bn_eps (float): eps of bn1 and bn2 (bn0 keeps 1e-5).
            Defaults to 0.8.
        init_cfg (dict, optional): Initialisation. Defaults to None
            (PyTorch's default).
    """

    def __init__(self,
                 num_classes: int,
                 condition: str = 'embedding',
                 latent_dim: int = 100,
                 img_size: int = 32,
                 out_channels: int = 3,
                 base_channels: int = 128,
                 bn_eps: float = 0.8,
                 init_cfg=None):
        super().__init__(
            latent_dim=latent_dim,
            img_size=img_size,
            out_channels=out_channels,
            base_channels=base_channels,
            bn_eps=bn_eps,
            init_cfg=init_cfg)
        self._init_condition(num_classes, condition, ('bn0', 'bn1', 'bn2'))

    def forward(self,
                z: torch.Tensor,
                labels: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Map latent codes (N, latent_dim) and labels (N,) in
        [0, num_classes) to images (N, C, S, S). ``labels`` may be None only
        when ``condition='none'``."""
        z = self._embed(z, labels)                           # (N, d)
        x = self.fc(z)                                       # (N, c*s*s)
        x = x.view(z.size(0), -1, self.init_size, self.init_size)
        x = self._norm(self.bn0, x, labels)
        x = F.interpolate(x, scale_factor=2)                 # (N, c, 2s, 2s)
        x = F.leaky_relu(self._norm(self.bn1, self.conv1(x), labels), 0.2)
        x = F.interpolate(x, scale_factor=2)                 # (N, c, S, S)
        x = F.leaky_relu(self._norm(self.bn2, self.conv2(x), labels), 0.2)
        x = torch.tanh(self.conv3(x))                        # (N, C, S, S)
        return self.out_bn(x)
