"""SpaceshipNet's synthesizer: a persistent generator whose intermediate
features are kept with the images, and the channel-wise feature exchange
(CFE) that re-renders exchanged features into new images."""
import math
from contextlib import contextmanager
from typing import Iterator, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.dist import all_reduce, broadcast, get_world_size

from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError, sampling_mode
from .inversion import InversionSynthesizer

#: Generator levels whose outputs CFE can exchange: 0 the BN-ed first
#: layer (2c, S/4, S/4), 1 the first conv block (2c, S/2, S/2), 2 the
#: second (c, S, S); SpaceshipNet's ``conv_idx``.
LEVELS = (0, 1, 2)


@contextmanager
def train_mode(module: nn.Module) -> Iterator[None]:
    """``module`` in train mode for the block (its BN running statistics
    updated), then back in its former mode."""
    was_training = module.training
    module.train()
    try:
        yield
    finally:
        module.train(was_training)


def exchange_channels(features: torch.Tensor,
                      rng: Optional[torch.Generator] = None) -> torch.Tensor:
    r"""Channel-wise feature exchange (CFE) within a batch.

    Image :math:`i` is paired with image :math:`N-1-i` (the batch reversed;
    the batch is a shuffled draw of the pool, so the pairs are random) and
    keeps a random half of its channels, the others taken from its partner:

    .. math::
        \tilde f_i = m_i \odot f_i + (1 - m_i) \odot f_{N-1-i}, \qquad
        m_i \in \{0, 1\}^C,\ \textstyle\sum_c m_{ic} = \lfloor C/2 \rfloor

    with a new mask :math:`m_i` per image (``channel_mix_batch`` /
    ``channel_mix_feature`` of model_CFE_mSARC_base_V37.py).

    Args:
        features (Tensor): (N, C, ...) features of one generator level.
        rng (torch.Generator, optional): Random numbers of the masks.

    Returns:
        Tensor: The exchanged features, the shape of ``features``.
    """
    n, c = features.shape[:2]
    # a random permutation per row; its first C // 2 positions are kept
    keep = torch.rand(n, c, generator=rng).argsort(1) < c // 2
    keep = keep.view(n, c, *([1] * (features.dim() - 2))).to(features.device)
    return torch.where(keep, features, features.flip(0))


@MODELS.register_module()
class SpaceshipSynthesizer(InversionSynthesizer):
    r"""SpaceshipNet's synthesis: one persistent generator trained a round
    at a time, its intermediate features kept with the round's best batch.

    `Data-Free Knowledge Distillation via Feature Exchange and Activation
    Region Constraint
    <https://cvpr.thecvf.com/virtual/2023/poster/21071>`_ (Yu et al.,
    CVPR 2023), faithful to skgyu/SpaceshipNet ``train_G`` of
    models/model_CFE_mSARC_bases/model_CFE_mSARC_base_V37.py. One round:

    .. code-block:: none

        y = (0, 1, ..., K-1, 0, 1, ...)       # class-balanced targets
        z ~ N(0, I), fixed for the round      # not optimised
        Adam(G, lr_g, betas (0.5, 0.999)), new every round; G in train mode
        for it in 1..iterations:
            x, (f0, f1, f2) = G(z)            # images and level features
            v = normalise(crop4(flip(x)))
            L = bn * L_BN(T; v) + oh * CE(T(v), y)   # no adversarial term
            keep (x, f0, f1, f2) if L is the lowest so far (before the step)
            G <- Adam step

    The generator is *not* re-initialised between rounds (its Adam is): it
    is drawn once (kaiming-normal conv / linear weights, zero biases, BN
    weights N(1, 0.02), the official ``weights_init('kaiming')``) from the
    synthesizer's RNG (rank 0's draw, under DDP). Under DDP its gradients
    are averaged over ranks, and its BN running statistics after each
    round, so it stays identical everywhere. The round returns ``images``,
    ``labels`` and ``feat{l}`` for every level of ``levels``.

    For the student, :meth:`render` re-draws images from (exchanged)
    features through the current generator's later layers in eval mode (BN
    on its running statistics), and :attr:`view` is the crop + flip the
    official code applies to them.

    Args:
        generator (dict): :class:`~mmdfkd.generators.InversionGenerator`
            (the official ``CMIGeneratorV3`` is the same network).
        lr_g (float): Adam learning rate of the generator. Defaults to 1e-3.
        levels (Sequence[int]): Generator levels whose features are kept
            (``conv_idx``). Defaults to ``(0, 1, 2)``.
        view (list[dict], optional): Batched transforms of the teacher's
            view and of the student's images, on [0, 1] images. Defaults to
            ``BatchRandomCrop(padding=4)`` + ``BatchRandomFlip``.
        **kwargs: :class:`InversionSynthesizer` (``num_classes``,
            ``batch_size``, ``image_size``, ``iterations`` = g_steps,
            ``loss_bn``, ``loss_oh``, ``seed``).
    """

    def __init__(self,
                 generator: dict,
                 lr_g: float = 1e-3,
                 levels: Sequence[int] = LEVELS,
                 view: Optional[List[dict]] = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.generator = MODELS.build(generator)
        if not callable(getattr(self.generator, 'levels', None)):
            raise DFKDInputError(
                'SpaceshipSynthesizer re-renders features through the '
                'levels of an InversionGenerator, got '
                f'{type(self.generator).__name__}. Fix: '
                "synthesizer.generator=dict(type='InversionGenerator', ...).")
        self._check_generator(self.generator)
        self.levels = tuple(levels)
        if not self.levels or not set(self.levels) <= set(LEVELS):
            raise DFKDInputError(
                f'SpaceshipSynthesizer levels={self.levels}: the generator '
                f'has levels {LEVELS}. Fix: a non-empty subset, e.g. '
                'levels=(0, 1, 2).')
        self.lr_g = lr_g
        self.view = self._build_transforms(view if view is not None else [
            dict(type='BatchRandomCrop', padding=4),
            dict(type='BatchRandomFlip')])
        self.init_generator()

    @torch.no_grad()
    def init_generator(self) -> None:
        """``weights_init('kaiming')``: conv / linear weights
        N(0, 2 / fan_in), biases 0, BN weights N(1, 0.02), BN biases 0,
        from the synthesizer's RNG."""
        for m in self.generator.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=self.rng)
                               * math.sqrt(2. / fan_in))
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(1 + 0.02 * torch.randn(m.weight.shape,
                                                      generator=self.rng))
                m.bias.zero_()
        if get_world_size() > 1:  # the RNG is per rank: rank 0's draw
            for t in self.generator.state_dict().values():
                broadcast(t, 0)

    @torch.no_grad()
    def average_bn_stats_over_ranks(self) -> None:
        """Each rank's round ran the generator in train mode on its own
        codes, so the BN running statistics that :meth:`render` uses drift
        apart; their mean over the ranks keeps the generator (and the
        checkpoint, which holds rank 0's copy) identical everywhere."""
        if get_world_size() > 1:
            for m in self.generator.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm) and \
                        m.track_running_stats:
                    all_reduce(m.running_mean, op='mean')
                    all_reduce(m.running_var, op='mean')

    def draw_targets(self, num: int, device=None) -> torch.Tensor:
        """``generate_input(test=True)``: class ``i mod K`` for image i."""
        return torch.arange(num, device=device) % self.num_classes

    def augment(self, images: torch.Tensor) -> torch.Tensor:
        """:attr:`view` applied to [0, 1] images, from the synthesizer's
        RNG (the crop pads with black, as kornia's before normalising)."""
        for transform in self.view:
            images = transform(images, self.rng)
        return images

    def synthesize(self, teacher: nn.Module,
                   student: Optional[nn.Module] = None,
                   adversarial: bool = True) -> dict:
        device = self.mean.device
        targets = self.draw_targets(self.batch_size, device)
        z = self.randn(self.batch_size, self.generator.latent_dim,
                       device=device)
        optimizer = torch.optim.Adam(self.generator.parameters(), self.lr_g,
                                     betas=(0.5, 0.999))
        best = None
        # train mode: the BN running statistics that render() uses are
        # those of the synthesis passes
        with train_mode(self.generator):
            for _ in range(self.iterations):
                raw, feats = self.generator.levels(z)
                view = self.normalize(self.augment(raw))
                losses, _ = self.inversion_losses(view, targets, teacher,
                                                  student, adversarial)
                loss = sum(losses.values())
                best = self.keep_best(loss, self.normalize(raw), best,
                                      *[feats[level] for level in
                                        self.levels])
                optimizer.zero_grad()
                loss.backward()
                self.average_grads_over_ranks(self.generator.parameters())
                optimizer.step()
        self.average_bn_stats_over_ranks()
        log = {k: v.detach() for k, v in losses.items()}
        log.update(loss=loss.detach(), best_loss=best[0])
        out = dict(images=best[1], labels=targets, log=log)
        out.update({f'feat{level}': f
                    for level, f in zip(self.levels, best[2:])})
        return out

    def draw_level(self) -> int:
        """A level of :attr:`levels`, uniformly (``np.random.choice(
        conv_idx)``), from the synthesizer's RNG."""
        return self.levels[int(self.randint(len(self.levels), ()))]

    @torch.no_grad()
    def render(self, features: torch.Tensor, level: int) -> torch.Tensor:
        """Images (N, C, S, S) in [0, 1] from ``level`` features through
        the current generator in eval mode (BN on running statistics)."""
        with sampling_mode(self.generator, False):
            return self.generator.render(features, level)

    @torch.no_grad()
    def sample(self, num: int, labels=None, rng=None) -> torch.Tensor:
        """Images of the current generator (eval mode, as the student's
        images are rendered)."""
        z = torch.randn(num, self.generator.latent_dim, generator=rng)
        with sampling_mode(self.generator, False):
            return self.normalize(self.generator(z.to(self.mean.device)))
