"""Label conditioning shared by the conditional generators."""
from typing import Optional, Sequence

import torch
import torch.nn as nn

from .conditional_batch_norm import ConditionalBatchNorm2d


class ConditionalGeneratorMixin:
    r"""The conditioning shared by the class-conditional generators.

    Mixed into a generator (before its unconditional base class) whose
    ``__init__`` has built the unconditional layers and set ``latent_dim``.
    ``condition`` selects how the label :math:`y` enters:

    - ``'embedding'``: :math:`z \leftarrow z \odot E_y` before the first
      Linear, with :math:`E` a learnt ``nn.Embedding(num_classes,
      latent_dim)`` (PyTorch's N(0, 1) initialisation), the ACGAN-style
      product used by `GDFQ <https://arxiv.org/abs/2003.03603>`_;
    - ``'cbn'``: the inner BNs become :class:`ConditionalBatchNorm2d`;
    - ``'both'``: both of the above;
    - ``'none'``: unconditional (ablation); the label is ignored.
    """

    CONDITIONS = ('embedding', 'cbn', 'both', 'none')

    def _init_condition(self, num_classes: int, condition: str,
                        bn_names: Sequence[str]) -> None:
        """Set the attributes and replace the BNs named ``bn_names``
        (dotted paths) by conditional ones."""
        if condition not in self.CONDITIONS:
            raise ValueError(f'condition must be one of {self.CONDITIONS}, '
                             f'got {condition!r}')
        if num_classes < 1:
            raise ValueError(f'num_classes must be positive, got '
                             f'{num_classes}')
        self.num_classes = num_classes
        self.condition = condition
        self.conditional = condition != 'none'
        if condition in ('embedding', 'both'):
            self.label_emb = nn.Embedding(num_classes, self.latent_dim)
        if condition in ('cbn', 'both'):
            for name in bn_names:
                parent_name, _, child = name.rpartition('.')
                parent = self.get_submodule(parent_name)
                setattr(parent, child,
                        ConditionalBatchNorm2d.from_bn(
                            getattr(parent, child), num_classes))

    def _check_labels(self, labels: Optional[torch.Tensor],
                      batch_size: int) -> None:
        if labels is None:
            raise ValueError(f'{type(self).__name__}(condition='
                             f'{self.condition!r}) needs labels')
        if not isinstance(labels, torch.Tensor) or labels.dtype not in (
                torch.int64, torch.int32):
            raise ValueError('labels must be an int64 or int32 tensor, got '
                             f'{getattr(labels, "dtype", type(labels))}')
        if labels.shape != (batch_size, ):
            raise ValueError(f'labels must have shape ({batch_size},), got '
                             f'{tuple(labels.shape)}')
        if ((labels < 0) | (labels >= self.num_classes)).any():
            raise ValueError(f'labels must lie in [0, {self.num_classes}), '
                             f'got min {labels.min().item()} and max '
                             f'{labels.max().item()}')

    def _embed(self, z: torch.Tensor,
               labels: Optional[torch.Tensor]) -> torch.Tensor:
        """Check the labels of a conditional generator and apply the label
        embedding to z (N, latent_dim) where there is one."""
        if not self.conditional:
            return z
        self._check_labels(labels, z.size(0))
        if self.condition in ('embedding', 'both'):
            z = z * self.label_emb(labels)                   # (N, latent_dim)
        return z

    @staticmethod
    def _norm(bn: nn.Module, x: torch.Tensor,
              labels: Optional[torch.Tensor]) -> torch.Tensor:
        """Apply ``bn``, passing the labels if it is conditional."""
        if isinstance(bn, ConditionalBatchNorm2d):
            return bn(x, labels)
        return bn(x)
