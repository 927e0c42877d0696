"""What the inversion family (DeepInversion, CMI, Fast, NAYER) shares."""
from contextlib import contextmanager
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.dist import all_reduce, get_world_size

from mmdfkd.registry import MODELS, TRANSFORMS
from mmdfkd.utils import BNStatsRecorder, DFKDInputError, frozen
from .base_synthesizer import RoundSynthesizer


def bn_layers(model: nn.Module) -> List[nn.Module]:
    """The BN layers whose input statistics the BN loss matches."""
    return BNStatsRecorder(model).layers


@contextmanager
def eval_mode(module: Optional[nn.Module]):
    """``module`` in eval mode (BN on running statistics, no update) for
    the block, then back in its former mode."""
    if module is None:
        yield
        return
    was_training = module.training
    module.eval()
    try:
        yield
    finally:
        module.train(was_training)


class InversionSynthesizer(RoundSynthesizer):
    r"""Base of the synthesizers that invert a BN teacher.

    One synthesis round (:meth:`synthesize`) draws targets, optimises images
    (pixels, or a generator and its codes) for ``iterations`` steps against
    the *inversion losses* and returns the round's **best batch** (lowest
    total loss, taken before the step, as the official code keeps it):

    .. math::
        \mathcal{L} = \lambda_{bn}\,\mathcal{L}_{BN}(T; v)
        + \lambda_{oh}\,\mathrm{CE}(T(v), y)
        + \lambda_{adv}\,\mathcal{L}_{adv}(S(v), T(v)) + \dots

    on a view :math:`v` (jittered / cropped / flipped) of the images. The
    losses that exist are the method's: a config that sets ``loss_adv=None``
    removes the term (ablations are configuration, not branches). The
    student enters only the adversarial term, in eval mode and frozen (no
    gradient reaches its weights), as in the official code.

    Images live in the teacher's normalised input space;
    :meth:`set_normalization` receives the algorithm's mean / std (0..255
    units, the data preprocessor's), used by generator-based subclasses to
    map :math:`[0, 1]` images and by all to clip pixels to the valid range.

    Args:
        num_classes (int): Classes of the teacher.
        batch_size (int): Images per round (``synthesis_batch_size``).
        image_size (Sequence[int]): ``(C, H, W)`` of the teacher's input.
        iterations (int): Optimisation steps per round (``g_steps``).
        loss_bn (dict, optional): :class:`~mmdfkd.losses.BNStatisticsLoss`.
        loss_oh (dict, optional): Cross-entropy of the teacher's logits to
            the round's targets (``mmpretrain.CrossEntropyLoss``).
        loss_adv (dict, optional): Teacher-student term, e.g.
            :class:`~mmdfkd.losses.MaskedKLAdversarialLoss` or
            :class:`~mmdfkd.losses.JSCompetitionLoss`; off while the
            algorithm warms up.
        seed (int, optional): See :class:`RoundSynthesizer`.
    """

    conditional = True

    def __init__(self,
                 num_classes: int,
                 batch_size: int,
                 image_size: Sequence[int],
                 iterations: int,
                 loss_bn: Optional[dict] = None,
                 loss_oh: Optional[dict] = None,
                 loss_adv: Optional[dict] = None,
                 seed: Optional[int] = None):
        super().__init__(seed=seed)
        if len(image_size) != 3:
            raise DFKDInputError(
                f'image_size must be (C, H, W), got {tuple(image_size)}. '
                'Fix: e.g. image_size=(1, 32, 32).')
        if iterations < 1 or batch_size < 1:
            raise DFKDInputError(
                f'{type(self).__name__} needs iterations >= 1 and '
                f'batch_size >= 1, got {iterations} and {batch_size}.')
        self.num_classes = num_classes
        self.batch_size = batch_size
        self.image_size = tuple(image_size)
        self.iterations = iterations
        self.loss_bn = self._build(loss_bn)
        self.loss_oh = self._build(loss_oh)
        self.loss_adv = self._build(loss_adv)
        channels = self.image_size[0]
        self.register_buffer('mean', torch.zeros(channels, 1, 1),
                             persistent=False)
        self.register_buffer('std', torch.full((channels, 1, 1), 255.),
                             persistent=False)

    @staticmethod
    def _build(cfg: Optional[dict]) -> Optional[nn.Module]:
        return None if cfg is None else MODELS.build(cfg)

    @staticmethod
    def _build_transforms(cfgs: Optional[List[dict]]) -> list:
        return [TRANSFORMS.build(t) for t in (cfgs or [])]

    # -- pixel space -------------------------------------------------------
    def set_normalization(self, mean: Union[torch.Tensor, Sequence[float]],
                          std: Union[torch.Tensor, Sequence[float]]) -> None:
        """The teacher's input normalisation, per channel, 0..255 units."""
        c = self.image_size[0]
        self.mean.copy_(torch.as_tensor(mean, dtype=torch.float).reshape(
            c, 1, 1))
        self.std.copy_(torch.as_tensor(std, dtype=torch.float).reshape(
            c, 1, 1))

    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        """Images in [0, 1] -> the teacher's input space."""
        return (images * 255. - self.mean) / self.std

    def pixel_range(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """Lowest and highest valid pixel per channel, normalised."""
        return -self.mean / self.std, (255. - self.mean) / self.std

    def draw_targets(self, num: int, device=None) -> torch.Tensor:
        """Targets of a round: uniform classes (the official code), from
        the synthesizer's generator, sorted."""
        return self.randint(self.num_classes, (num, )).sort()[0].to(device)

    # -- the inversion losses ----------------------------------------------
    def inversion_losses(self, view: torch.Tensor, targets: torch.Tensor,
                         teacher: nn.Module, student: Optional[nn.Module],
                         adversarial: bool) -> Tuple[Dict, BNStatsRecorder]:
        """The losses that exist, on one view (N, C, H, W) of the images.

        Returns:
            tuple: ``({name: loss}, recorder)``: the recorder holds the
            teacher's BN input statistics of this view (the momentum BN loss
            folds the last ones into its average).
        """
        with BNStatsRecorder(teacher, enabled=self.loss_bn is not None) \
                as rec:
            logits_T = teacher(view)                            # (N, K)
        losses = {}
        if self.loss_bn is not None:
            losses['loss_bn'] = self.loss_bn(*rec.statistics())
        if self.loss_oh is not None:
            losses['loss_oh'] = self.loss_oh(logits_T.float(), targets)
        if self.loss_adv is not None and adversarial and student is not None:
            with frozen(student), eval_mode(student):
                logits_S = student(view)
            losses['loss_adv'] = self.loss_adv(logits_S, logits_T)
        return losses, rec

    @staticmethod
    def keep_best(loss: torch.Tensor, images: torch.Tensor,
                  best: Optional[Tuple[torch.Tensor, ...]],
                  *extra: Optional[torch.Tensor]) -> Tuple[torch.Tensor, ...]:
        """``(lowest loss, its images, *its extra tensors)`` so far (e.g.
        CMI's features; None stays None), on the device (no host
        synchronisation per step)."""
        kept = [t if t is None else t.detach() for t in (images, *extra)]
        loss = loss.detach().float()
        if best is None:
            return (loss, *(t if t is None else t.clone() for t in kept))
        better = loss < best[0]
        return (torch.where(better, loss, best[0]),
                *(t if t is None else torch.where(better, t, b)
                  for t, b in zip(kept, best[1:])))

    # -- per-rank state: the BN loss's moving average -----------------------
    def _shard_state(self) -> dict:
        state = super()._shard_state()
        if self.loss_bn is not None:
            state['bn_ema'] = (self.loss_bn.ema_means, self.loss_bn.ema_vars)
        return state

    def _load_shard(self, shard: dict) -> None:
        if self.loss_bn is not None and 'bn_ema' in shard:
            device = self.mean.device
            means, variances = shard['bn_ema']
            self.loss_bn.ema_means = None if means is None else [
                m.to(device) for m in means]
            self.loss_bn.ema_vars = None if variances is None else [
                v.to(device) for v in variances]

    @staticmethod
    def average_grads_over_ranks(params) -> None:
        """Average the gradients of parameters that persist across rounds
        (a meta-generator, a projection head) over the DDP ranks, so the
        ranks' copies stay identical although each synthesises its own
        batch; a no-op in one process."""
        if get_world_size() == 1:
            return
        for p in params:
            if p.grad is not None:
                all_reduce(p.grad, op='mean')

    def _check_generator(self, generator: nn.Module) -> None:
        out = (generator.out_channels, generator.img_size,
               generator.img_size)
        if out != self.image_size:
            raise DFKDInputError(
                f'the generator makes {out} images, the teacher takes '
                f'{self.image_size}. Fix: generator img_size / out_channels '
                'to match image_size.')

    def prepare(self, teacher: nn.Module) -> None:
        """Check (and size from) the teacher, once, when the algorithm is
        built."""
        self._check_bn_teacher(teacher)

    def _check_bn_teacher(self, teacher: nn.Module) -> None:
        if self.loss_bn is not None and not bn_layers(teacher):
            raise DFKDInputError(
                f'{type(self).__name__}: the teacher has no BatchNorm2d '
                'layer with running statistics, so the BN-statistics loss '
                'has no target. Fix: a BN teacher, or loss_bn=None.')
