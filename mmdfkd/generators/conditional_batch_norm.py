import torch
import torch.nn as nn

from mmdfkd.registry import MODELS


@MODELS.register_module()
class ConditionalBatchNorm2d(nn.Module):
    r"""Class-conditional batch normalisation.

    The "conditional BN" of `Modulating early visual processing by language
    <https://arxiv.org/abs/1707.00683>`_ (de Vries et al., NeurIPS 2017) with
    categorical conditions, as in the generator of `cGANs with Projection
    Discriminator <https://arxiv.org/abs/1802.05637>`_ (Miyato & Koyama, ICLR
    2018): an affine-free BN whose scale and shift are looked up per class,

    .. math::

        y = \gamma_{c} \odot \mathrm{BN}(x) + \beta_{c},

    where :math:`c` is the label of the sample and :math:`\gamma,\beta` are
    rows of two ``nn.Embedding(num_classes, num_features)``, initialised to
    1 and 0, so that at initialisation the layer is an affine-free BN.

    Args:
        num_features (int): Channels of the input.
        num_classes (int): Number of classes.
        eps (float): eps of the BN. Defaults to 1e-5.
        momentum (float): Momentum of the running statistics.
            Defaults to 0.1.
    """

    def __init__(self,
                 num_features: int,
                 num_classes: int,
                 eps: float = 1e-5,
                 momentum: float = 0.1):
        super().__init__()
        self.num_features = num_features
        self.num_classes = num_classes
        self.bn = nn.BatchNorm2d(
            num_features, eps=eps, momentum=momentum, affine=False)
        self.scale = nn.Embedding(num_classes, num_features)
        self.shift = nn.Embedding(num_classes, num_features)
        self.reset_parameters()

    @classmethod
    def from_bn(cls, bn: nn.BatchNorm2d,
                num_classes: int) -> 'ConditionalBatchNorm2d':
        """A fresh conditional BN with the channels, eps and momentum of
        ``bn``."""
        return cls(bn.num_features, num_classes, bn.eps, bn.momentum)

    def reset_parameters(self) -> None:
        """Scale 1 and shift 0 for every class."""
        nn.init.ones_(self.scale.weight)
        nn.init.zeros_(self.shift.weight)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Normalise x (N, C, H, W) and modulate it by labels (N,)."""
        gamma = self.scale(labels)[:, :, None, None]         # (N, C, 1, 1)
        beta = self.shift(labels)[:, :, None, None]          # (N, C, 1, 1)
        return gamma * self.bn(x) + beta                     # (N, C, H, W)

    def extra_repr(self) -> str:
        return f'{self.num_features}, num_classes={self.num_classes}'
