"""The contract every image source of mmdfkd honours."""
from typing import Dict, Optional

import torch
from mmengine.dist import gather_object, get_dist_info, get_rank
from mmengine.model import BaseModule
from torch.optim import Optimizer

from mmdfkd.utils import DFKDInputError


class BaseSynthesizer(BaseModule):
    """Something that makes images for the student: an *image source*.

    Hooks, tools and metrics only use this contract, never a method's
    internals (a DDP wrapper's ``.module``, a ``latent_dim``, the train
    loader):

    - :meth:`sample` ``(num, labels=None) -> images`` (N, C, H, W) in the
      teacher's normalised input space, without gradients and without a
      trace (BN running statistics are left as they were);
    - :attr:`num_classes` (``None`` where the source has no notion of
      classes) and :attr:`conditional` (whether ``labels`` steer it);
    - ``state_dict`` / ``load_state_dict`` for whatever it keeps between
      synthesis rounds, **its inner optimizers included**: optimizers
      of a :class:`RoundSynthesizer` are saved as the module's extra state,
      so they travel in the run's checkpoint and ``--resume`` continues
      them.

    Two kinds exist. A *persistent generator* (DAFL, DFAD, CGDD, ...; see
    :class:`~mmdfkd.generators.BaseGenerator`) is trained by the algorithm's
    own ``optim_wrapper['generator']`` next to the student. A *round-based
    synthesizer* (DeepInversion's pixels, CMI's re-initialised generator,
    Fast's meta-generator, NAYER's noisy layers) runs a whole synthesis
    round in :meth:`synthesize` with optimizers it owns and re-creates, and
    the algorithm stores the round's images in an
    :class:`~mmdfkd.synthesizers.ImagePool`. Both are built from the
    algorithm's config (``generator=`` or ``synthesizer=``).
    """

    #: Number of classes the source can be asked for (None: unknown).
    num_classes: Optional[int] = None
    #: Whether ``labels`` steer :meth:`sample` / :meth:`synthesize`.
    conditional: bool = False

    # -- the contract ------------------------------------------------------
    def sample(self,
               num: int,
               labels: Optional[torch.Tensor] = None,
               rng: Optional[torch.Generator] = None) -> torch.Tensor:
        """Draw ``num`` images (N, C, H, W) in the teacher's normalised
        input space, without gradients and leaving no trace.

        Args:
            num (int): Number of images.
            labels (Tensor, optional): Classes (N, ) for a conditional
                source; None draws them (class-balanced). Defaults to None.
            rng (torch.Generator, optional): Random numbers for the draw,
                e.g. a seeded one for comparable grids. Defaults to None
                (the global generator).
        """
        raise NotImplementedError

    def synthesize(self, teacher: torch.nn.Module,
                   student: Optional[torch.nn.Module] = None,
                   **kwargs) -> Dict[str, torch.Tensor]:
        """One synthesis round of a round-based synthesizer.

        Returns:
            dict: ``images`` (N, C, H, W), normalised; ``labels`` (N, ) where
            the round had targets; ``loss`` and other scalars to log.
        """
        raise NotImplementedError(
            f'{type(self).__name__} is a persistent generator: the '
            "algorithm trains it with optim_wrapper['generator'].")


class RoundSynthesizer(BaseSynthesizer):
    """A synthesizer that makes images in rounds, with optimizers it owns.

    Subclasses implement :meth:`synthesize` (one round: re-initialise what
    the method re-initialises, run its inner steps, return the round's
    images), register every optimizer that lives *across* rounds (Fast's
    meta-optimizer, a projection head's) with :meth:`register_optimizer`,
    and draw their noise with :meth:`randn` / :meth:`randint`. Those
    optimizers' states and the random generator are the module's extra
    state, so ``state_dict`` (hence the run's checkpoint) carries them and
    a resumed run continues bit-exactly. Under DDP each rank synthesises
    with its own generator (``seed + rank``) and optimizers;
    :class:`~mmdfkd.hooks.RankShardsHook` gathers them on rank 0 before each
    checkpoint, and each rank takes its own back on resume. Parameters that
    persist across rounds are saved as rank 0's: a synthesizer that keeps
    some (Fast's meta-generator) keeps them equal on every rank (e.g. by
    averaging their updates). An optimizer made afresh for each
    round (DeepInversion's pixels, CMI's re-initialised generator) is a
    local of :meth:`synthesize`: checkpoints fall between rounds.

    Args:
        seed (int, optional): Seed of the synthesizer's random generator;
            rank ``r`` uses ``seed + r``. Defaults to None (drawn from
            torch's global generator, which the runner seeds).
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(self, seed: Optional[int] = None, init_cfg=None):
        super().__init__(init_cfg)
        if seed is None:
            seed = int(torch.randint(2**31 - 1, ()))
        self.rng = torch.Generator().manual_seed(seed + get_rank())
        self._optimizers: Dict[str, Optimizer] = {}
        self._loaded_states: Dict[str, dict] = {}

    def randn(self, *size: int, device=None) -> torch.Tensor:
        """Standard normal noise from the synthesizer's own generator."""
        return torch.randn(*size, generator=self.rng).to(device)

    def randint(self, high: int, size: tuple, device=None) -> torch.Tensor:
        """Integers in [0, high) from the synthesizer's own generator."""
        return torch.randint(high, size, generator=self.rng).to(device)

    def register_optimizer(self, name: str, optimizer: Optimizer) -> None:
        """Own ``optimizer``, which lives across rounds; a state loaded from
        a checkpoint for ``name`` and not yet used is loaded into it now (an
        optimizer created lazily, at the first round)."""
        if name in self._loaded_states:
            optimizer.load_state_dict(self._loaded_states.pop(name))
        self._optimizers[name] = optimizer

    def _shard_state(self) -> dict:
        # states loaded but not yet claimed by a lazily created optimizer
        # are kept too
        return dict(rng=self.rng.get_state(),
                    optimizers={**self._loaded_states,
                                **{name: opt.state_dict()
                                   for name, opt in self._optimizers.items()}})

    def _load_shard(self, shard: dict) -> None:
        """Restore what a subclass added to :meth:`_shard_state`."""

    def gather_shards(self) -> None:
        """Collect every rank's generator and optimizer states on rank 0
        (collective; :class:`~mmdfkd.hooks.RankShardsHook` calls it before
        each checkpoint)."""
        self._gathered = gather_object(self._shard_state())

    def get_extra_state(self) -> dict:
        shards = getattr(self, '_gathered', None) or [self._shard_state()]
        self._gathered = None
        return dict(shards=shards)

    def set_extra_state(self, state: dict) -> None:
        rank, world_size = get_dist_info()
        if len(state['shards']) != world_size:
            raise DFKDInputError(
                f'the checkpoint holds the synthesizer state of '
                f'{len(state["shards"])} rank(s), this run has {world_size}.'
                f' Fix: resume with {len(state["shards"])} rank(s).')
        shard = state['shards'][rank]
        self.rng.set_state(shard['rng'].cpu())  # checkpoints map to device
        self._load_shard(shard)
        self._loaded_states = dict(shard['optimizers'])
        for name, opt in self._optimizers.items():
            if name in self._loaded_states:
                opt.load_state_dict(self._loaded_states.pop(name))
