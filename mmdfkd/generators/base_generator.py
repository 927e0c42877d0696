"""Persistent generators as image sources."""
from typing import Optional

import torch

from mmdfkd.synthesizers import BaseSynthesizer
from mmdfkd.utils import sampling_mode


class BaseGenerator(BaseSynthesizer):
    """A generator :math:`G(z)` (or :math:`G(z, y)`) trained next to the
    student by the algorithm's ``optim_wrapper['generator']``: the
    persistent kind of :class:`~mmdfkd.synthesizers.BaseSynthesizer`.

    Subclasses set ``latent_dim`` and implement ``forward(z)`` (conditional
    ones ``forward(z, labels)`` with ``num_classes`` and ``conditional``,
    see :class:`ConditionalGeneratorMixin`). :meth:`sample` draws
    :math:`z \\sim \\mathcal{N}(0, I)` and, for a conditional generator
    without ``labels``, the classes ``0, 1, ..., K-1, 0, ...``.
    """

    latent_dim: int

    @torch.no_grad()
    def sample(self,
               num: int,
               labels: Optional[torch.Tensor] = None,
               rng: Optional[torch.Generator] = None) -> torch.Tensor:
        device = next(self.parameters()).device
        z = torch.randn(num, self.latent_dim, generator=rng).to(device)
        if not self.conditional:
            inputs = (z, )
        else:
            if labels is None:
                labels = torch.arange(num) % self.num_classes
            inputs = (z, labels.to(device))
        # in the current mode (train: batch statistics, as the student sees
        # them), restoring the BN running statistics afterwards
        with sampling_mode(self, self.training):
            return self(*inputs)
