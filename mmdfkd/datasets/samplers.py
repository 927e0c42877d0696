"""The train sampler that lets a resumed run start an epoch part-way."""
import itertools
from typing import Iterator

from mmengine.dataset import DefaultSampler

from mmdfkd.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class ResumableSampler(DefaultSampler):
    """mmengine's :class:`~mmengine.dataset.DefaultSampler` that can skip the
    start of one epoch.

    Indices, per-epoch shuffling (``seed + epoch``), ``round_up`` and the
    rank slice ``indices[rank:total_size:world_size]`` are DefaultSampler's,
    so a run's samples do not change. :meth:`skip` makes the next
    ``__iter__`` (only that one) start ``n`` indices into this rank's slice;
    the following epochs are whole again. ``__len__`` stays the whole epoch's
    length. :class:`~mmdfkd.engine.DFKDIterBasedTrainLoop` uses it to resume
    in constant time instead of drawing every finished batch again.

    Args:
        See :class:`~mmengine.dataset.DefaultSampler` (``dataset``,
        ``shuffle``, ``seed``, ``round_up``).

    Example:
        >>> sampler = ResumableSampler(range(6), shuffle=False, seed=0)
        >>> sampler.skip(4)
        >>> list(sampler), list(sampler)
        ([4, 5], [0, 1, 2, 3, 4, 5])
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._skip = 0

    def skip(self, n: int) -> None:
        """Start the next epoch ``n`` indices into this rank's slice.

        Args:
            n (int): Indices of this rank to leave out, ``0 <= n <=
                len(self)``; ``batches * batch_size`` to resume after that
                many batches of the epoch.
        """
        if not 0 <= n <= self.num_samples:
            raise ValueError(f'cannot skip {n} of the {self.num_samples} '
                             'indices of an epoch of this rank')
        self._skip = int(n)

    def __iter__(self) -> Iterator[int]:
        """Iterate the indices of this rank, from the skipped offset."""
        skip, self._skip = self._skip, 0
        indices = super().__iter__()
        return itertools.islice(indices, skip, None) if skip else indices
