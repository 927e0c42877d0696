from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS
from .inversion import InversionSynthesizer


@MODELS.register_module()
class DeepInversionSynthesizer(InversionSynthesizer):
    r"""DeepInversion: pixels optimised from noise against the teacher.

    `Dreaming to Distill: Data-free Knowledge Transfer via DeepInversion
    <https://arxiv.org/abs/1912.08795>`_ (Yin et al., CVPR 2020), faithful
    to NVlabs' ``deepinversion.py`` and zju-vipa's ``DeepInvSyntheiszer``.
    One round (Algorithm 1 of the paper):

    .. code-block:: none

        x ~ N(0, 1) (normalised space), y = targets; Adam(x)
        for it in 1..iterations:
            v = flip(roll(x, random jitter))          # same for the batch
            (v = avgpool2x2(v) for the first lowres_iterations)
            L = l_bn * L_BN(T; v) + l_oh * CE(T(v), y)
                + l_tv * TV(v) + l_l2 * ||v||_2
                + l_c * (1 - JS(S(v), T(v)))          # ADI's competition
            keep x if L is the lowest so far
            x <- Adam step; x <- clip(x, valid pixel range)
        return the kept x

    Args:
        lr (float): Adam learning rate of the pixels. Defaults to 0.05
            (the paper's CIFAR-10 setting).
        betas (Sequence[float]): Adam betas. Defaults to ``(0.5, 0.99)``
            (zju-vipa; NVlabs' multi-resolution setting uses (0.5, 0.9)).
        jitter (int): Largest roll in pixels, each axis. Defaults to 2
            (CIFAR; 30 on ImageNet).
        flip (bool): Random horizontal flip of the view. Defaults to True.
        lowres_iterations (int): First iterations whose view is the image
            average-pooled to half resolution (NVlabs' multi-resolution
            setting: 2k of 3k on ImageNet). Defaults to 0.
        clip (bool): Clip pixels to the valid range after each step.
            Defaults to True.
        loss_tv (dict, optional): :class:`~mmdfkd.losses.TVLoss`.
        loss_l2 (dict, optional): :class:`~mmdfkd.losses.ImageL2Loss`.
        **kwargs: :class:`InversionSynthesizer` (``num_classes``,
            ``batch_size``, ``image_size``, ``iterations``, ``loss_bn``,
            ``loss_oh``, ``loss_adv`` = ADI's
            :class:`~mmdfkd.losses.JSCompetitionLoss`, ``seed``).
    """

    def __init__(self,
                 lr: float = 0.05,
                 betas: Sequence[float] = (0.5, 0.99),
                 jitter: int = 2,
                 flip: bool = True,
                 lowres_iterations: int = 0,
                 clip: bool = True,
                 loss_tv: Optional[dict] = None,
                 loss_l2: Optional[dict] = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.lr, self.betas = lr, tuple(betas)
        self.jitter, self.flip = jitter, flip
        self.lowres_iterations = lowres_iterations
        self.clip = clip
        self.loss_tv = self._build(loss_tv)
        self.loss_l2 = self._build(loss_l2)

    def synthesize(self, teacher: nn.Module,
                   student: Optional[nn.Module] = None,
                   adversarial: bool = True) -> dict:
        device = self.mean.device
        targets = self.draw_targets(self.batch_size, device)
        pixels = self.randn(self.batch_size, *self.image_size,
                            device=device).requires_grad_()
        optimizer = torch.optim.Adam([pixels], self.lr, betas=self.betas)
        low, high = self.pixel_range()
        best = None
        for it in range(self.iterations):
            view = self.jitter_and_flip(pixels)
            if it < self.lowres_iterations:
                view = F.avg_pool2d(view, 2)
            losses, _ = self.inversion_losses(view, targets, teacher,
                                              student, adversarial)
            if self.loss_tv is not None:
                losses['loss_tv'] = self.loss_tv(view)
            if self.loss_l2 is not None:
                losses['loss_l2'] = self.loss_l2(view)
            loss = sum(losses.values())
            best = self.keep_best(loss, pixels, best)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if self.clip:
                with torch.no_grad():
                    pixels.copy_(torch.maximum(torch.minimum(pixels, high),
                                               low))
        log = {k: v.detach() for k, v in losses.items()}
        log.update(loss=loss.detach(), best_loss=best[0])
        return dict(images=best[1], labels=targets, log=log)

    def jitter_and_flip(self, pixels: torch.Tensor) -> torch.Tensor:
        """Roll the batch by one random offset per axis, and flip it with
        probability 1/2 (one draw for the whole batch, as the official
        code)."""
        j = self.jitter
        dy, dx = (self.randint(2 * j + 1, (2, )) - j).tolist()
        view = torch.roll(pixels, shifts=(dy, dx), dims=(2, 3))
        if self.flip and bool(self.randint(2, (1, ))):
            view = view.flip(3)
        return view

    @torch.no_grad()
    def sample(self, num: int, labels=None, rng=None) -> torch.Tensor:
        """Noise in the valid pixel range: a DeepInversion synthesizer keeps
        no model between rounds; its images are in the pool."""
        low, high = self.pixel_range()
        x = torch.randn(num, *self.image_size, generator=rng)
        return torch.maximum(torch.minimum(x.to(self.mean.device), high), low)
