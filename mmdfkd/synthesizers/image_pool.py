"""A pool of synthesised images that the student learns from."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.dist import gather_object, get_dist_info

from mmdfkd.registry import MODELS, TRANSFORMS
from mmdfkd.utils import DFKDInputError, atomic_write


@MODELS.register_module()
class ImagePool(nn.Module):
    """Synthesised batches (images, and labels / teacher logits where a
    method keeps them), sampled in shuffled passes with batched
    augmentations.

    DeepInversion, CMI, Fast, NAYER and SpaceshipNet add the best batch of
    every synthesis round here and train the student on batches drawn from
    everything kept so far. The official code writes PNGs and reloads the
    folder through a DataLoader after every round; this pool keeps tensors
    where they were made (``root=None``: on the device, as a ring buffer of
    ``capacity`` images that drops the oldest when full) or as one file per
    added batch under ``root`` (for pools larger than memory).

    Its state (the images or the file list, the shuffled order and the
    random generator of sampling and augmentation) is the module's extra
    state, hence part of the run's checkpoint: ``--resume`` continues
    bit-exactly. Under DDP every rank keeps its own shard (what it
    synthesised); :class:`~mmdfkd.hooks.RankShardsHook` gathers the shards
    before each checkpoint so rank 0 saves them all, and each rank takes
    its own back on resume.

    Args:
        capacity (int): Images kept per rank (memory pools). Defaults to
            50000.
        keys (Sequence[str]): What each added batch holds; the first is
            the images (N, C, H, W). Defaults to ``('images', 'labels')``.
        augment (list[dict], optional): Batched transforms applied by
            :meth:`sample` to the images, e.g. ``[dict(type=
            'BatchRandomCrop', padding=4), dict(type='BatchRandomFlip')]``.
            Defaults to None.
        root (str, optional): Keep batches as files under
            ``root/rank{r}/`` instead of in memory. Defaults to None.
        seed (int, optional): Seed of the sampling generator; rank ``r``
            uses ``seed + r``. Defaults to None (drawn from torch's global
            generator, which the runner seeds).
    """

    def __init__(self,
                 capacity: int = 50000,
                 keys: Sequence[str] = ('images', 'labels'),
                 augment: Optional[List[dict]] = None,
                 root: Optional[str] = None,
                 seed: Optional[int] = None):
        super().__init__()
        if capacity < 1:
            raise DFKDInputError(
                f'ImagePool capacity must be positive, got {capacity}. Fix: '
                'image_pool.capacity >= the synthesis batch size.')
        self.capacity = capacity
        self.keys = tuple(keys)
        self.augment = [TRANSFORMS.build(t) for t in (augment or [])]
        self.root = root
        rank, _ = get_dist_info()
        self.rank = rank
        if seed is None:
            seed = int(torch.randint(2**31 - 1, ()))
        self.rng = torch.Generator().manual_seed(seed + rank)
        self._data: Dict[str, torch.Tensor] = {}   # memory: ring buffers
        self._files: List[str] = []                # disk: one per batch
        self._sizes: List[int] = []
        self.num_added = 0                         # images ever added
        self._order = torch.empty(0, dtype=torch.long)
        self._cursor = 0
        self._gathered: Optional[list] = None

    def __len__(self) -> int:
        if self.root is not None:
            return sum(self._sizes)
        return min(self.num_added, self.capacity)

    # -- adding ------------------------------------------------------------
    @torch.no_grad()
    def add(self, batch: Dict[str, torch.Tensor]) -> None:
        """Keep a batch: a dict with every key of ``keys``, (N, ...)."""
        missing = [k for k in self.keys if k not in batch]
        if missing:
            raise DFKDInputError(
                f'ImagePool.add got no {missing} (keys {self.keys}). Fix: '
                'return them from the synthesizer or set image_pool.keys.')
        num = batch[self.keys[0]].size(0)
        # a batch larger than the pool: only its newest `capacity` rows stay
        batch = {k: batch[k].detach()[-self.capacity:] if self.root is None
                 else batch[k].detach() for k in self.keys}
        self.num_added += num - batch[self.keys[0]].size(0)
        num = batch[self.keys[0]].size(0)
        if self.root is not None:
            self._add_file(batch, num)
        else:
            self._add_memory(batch, num)
        self.num_added += num
        self._gathered = None

    def _add_memory(self, batch: Dict[str, torch.Tensor], num: int) -> None:
        if not self._data:
            self._data = {
                k: torch.empty((self.capacity, *v.shape[1:]), dtype=v.dtype,
                               device=v.device) for k, v in batch.items()}
        slots = (torch.arange(num) + self.num_added) % self.capacity
        for key, value in batch.items():
            self._data[key][slots.to(value.device)] = value

    def _add_file(self, batch: Dict[str, torch.Tensor], num: int) -> None:
        folder = osp.join(self.root, f'rank{self.rank}')
        os.makedirs(folder, exist_ok=True)
        path = osp.join(folder, f'{self.num_added:09d}.pth')
        with atomic_write(path) as f:
            torch.save({k: v.cpu() for k, v in batch.items()}, f)
        self._device = batch[self.keys[0]].device  # where sample() returns
        self._files.append(path)
        self._sizes.append(num)

    # -- sampling ----------------------------------------------------------
    @torch.no_grad()
    def sample(self, num: int) -> Dict[str, torch.Tensor]:
        """A batch of ``num`` kept items, drawn without replacement within a
        shuffled pass over the pool (a new pass starts when one ends or the
        pool has grown), the images augmented."""
        size = len(self)
        if size == 0:
            raise DFKDInputError(
                'the image pool is empty. Fix: synthesise (add a batch) '
                'before the first student step.')
        chunks = []
        while num > 0:
            if self._cursor >= self._order.numel() or \
                    self._order.numel() != size:
                self._order = torch.randperm(size, generator=self.rng)
                self._cursor = 0
            take = self._order[self._cursor:self._cursor + num]
            self._cursor += take.numel()
            num -= take.numel()
            chunks.append(take)
        self._gathered = None  # the state moves on
        batch = self._gather(torch.cat(chunks))
        images = batch[self.keys[0]]
        for transform in self.augment:
            images = transform(images, self.rng)
        batch[self.keys[0]] = images
        return batch

    @torch.no_grad()
    def newest(self, num: int) -> Dict[str, torch.Tensor]:
        """The ``num`` most recently added items, oldest first, without
        augmentation and without touching the sampling state (for image
        grids)."""
        size = len(self)
        num = min(num, size)
        index = torch.arange(size - num, size)
        if self.root is None and self.num_added > self.capacity:
            # the ring's oldest slot is num_added % capacity
            index = (index + self.num_added) % self.capacity
        return self._gather(index)

    def _gather(self, index: torch.Tensor) -> Dict[str, torch.Tensor]:
        if self.root is None:
            return {k: v[index.to(v.device)] for k, v in self._data.items()}
        starts = torch.tensor([0] + self._sizes).cumsum(0)
        file_of = torch.searchsorted(starts, index, right=True) - 1
        out = {}
        for f in file_of.unique().tolist():
            part = torch.load(self._files[f], weights_only=True)
            rows = (file_of == f).nonzero().flatten()
            for key, value in part.items():
                if key not in out:
                    out[key] = value.new_empty((index.numel(),
                                                *value.shape[1:]))
                out[key][rows] = value[index[rows] - starts[f]]
        return {k: v.to(self._device or 'cpu') for k, v in out.items()}

    # -- checkpointing -----------------------------------------------------
    def _shard_state(self) -> dict:
        size = len(self)
        state = dict(num_added=self.num_added, order=self._order,
                     cursor=self._cursor, rng=self.rng.get_state())
        if self.root is None:
            # oldest first, so that a restored ring continues in place
            first = self.num_added % self.capacity if \
                self.num_added > self.capacity else 0
            slots = (torch.arange(size) + first) % self.capacity
            state['data'] = {k: v[slots.to(v.device)].cpu()
                             for k, v in self._data.items()}
            state['first'] = first
        else:
            state.update(files=list(self._files), sizes=list(self._sizes))
        return state

    def gather_shards(self) -> None:
        """Collect every rank's shard on rank 0 (a collective call: all
        ranks enter), so that rank 0's next ``state_dict`` holds the whole
        pool; it is dropped once saved or when the pool changes."""
        self._gathered = gather_object(self._shard_state())

    def get_extra_state(self) -> dict:
        # Without a fresh gather (a single process, or a save that
        # RankShardsHook did not precede) only this rank's shard is saved;
        # resuming that on several ranks is refused with a clear error.
        shards = self._gathered or [self._shard_state()]
        self._gathered = None
        return dict(shards=shards)

    def set_extra_state(self, state: dict) -> None:
        rank, world_size = get_dist_info()
        shards = state['shards']
        if len(shards) != world_size:
            raise DFKDInputError(
                f'the checkpoint holds an image pool of {len(shards)} '
                f'rank(s), this run has {world_size}. Fix: resume with '
                f'{len(shards)} rank(s).')
        shard = shards[rank]
        self.num_added = shard['num_added']
        # the runner maps checkpoints to the device: generator states and
        # the order are CPU tensors
        self._order, self._cursor = shard['order'].cpu(), shard['cursor']
        self.rng.set_state(shard['rng'].cpu())
        if self.root is None:
            self._data = {}
            data = shard.get('data', {})
            if data:
                device = self._device or torch.device('cpu')
                self._data = {
                    k: torch.empty((self.capacity, *v.shape[1:]),
                                   dtype=v.dtype, device=device)
                    for k, v in data.items()}
                slots = (torch.arange(next(iter(data.values())).size(0)) +
                         shard['first']) % self.capacity
                for key, value in data.items():
                    self._data[key][slots.to(device)] = value.to(device)
        else:
            self._files, self._sizes = shard['files'], shard['sizes']
        self._gathered = None

    def _apply(self, fn, recurse=True):
        # model.to(device) / .cuda() move the kept tensors too
        self._data = {k: fn(v) for k, v in self._data.items()}
        probe = fn(torch.empty(0))
        self._device = probe.device
        return super()._apply(fn, recurse)

    _device: Optional[torch.device] = None
