import copy
from typing import List, Optional

import torch
import torch.nn as nn
from mmengine.dist import broadcast, get_world_size

from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError, sampling_mode
from .inversion import InversionSynthesizer


@MODELS.register_module()
class FastSynthesizer(InversionSynthesizer):
    r"""Fast DFKD: a meta-generator adapted for a few steps per round.

    `Up to 100x Faster Data-free Knowledge Distillation
    <https://arxiv.org/abs/2112.06253>`_ (Fang et al., AAAI 2022), faithful
    to zju-vipa/Fast-Datafree ``FastMetaSynthesizer``. One round:

    .. code-block:: none

        fast <- copy(meta); z ~ N(0, I) learnable; y ~ U{0..K-1}
        Adam([fast: lr_g, z: lr_z], betas (0.5, 0.999))
        for it in 1..g (Fast-2/5/10):
            x = fast(z); v = normalise(crop4(flip(x)))
            L = l_bn * L_BN^mmt(T; v) + l_oh * CE(T(v), y)
                + l_adv * L_adv(S(v), T(v))     # after the warm-up rounds
            keep x if L is the lowest so far
            fast, z <- Adam step;  grad(meta) += grad(fast)   # first-order
        meta <- Adam(lr_g * g) step on the summed gradients    # MAML
        fold v's BN statistics into L_BN's moving average (bn_mmt)

    ``meta_update='reptile'`` replaces the summed gradients with
    :math:`67\,(\theta_{meta} - \theta_{fast})` (``is_maml=0``). At round
    ``reset_l0_round`` (120 + warm-up in the official code) the meta
    generator's first layer is re-drawn. Under DDP each rank synthesises
    its own batch; the meta-gradients are averaged over ranks before the
    meta step, so the meta-generator stays identical everywhere.

    The meta-optimizer and the round counter are checkpointed (extra state /
    buffers); the fast generator, ``z`` and their optimizer are locals of
    the round.

    Args:
        generator (dict): The meta-generator,
            :class:`~mmdfkd.generators.InversionGenerator` (B3).
        lr_g (float): Inner learning rate of the fast generator (5e-3 /
            3e-3 / 2e-3 for Fast-2 / 5 / 10). Defaults to 5e-3.
        lr_z (float): Learning rate of ``z`` (0.015 for g = 2, else 0.01).
            Defaults to 0.015.
        meta_update (str): ``'fomaml'`` or ``'reptile'``. Defaults to
            ``'fomaml'``.
        reset_l0_round (int, optional): Round whose start re-draws the first
            layer. Defaults to None (never).
        view (list[dict], optional): Batched transforms of the view, on
            [0, 1] images (before normalisation, as kornia's in the
            official code). Defaults to ``BatchRandomCrop(padding=4)`` +
            ``BatchRandomFlip``.
        **kwargs: :class:`InversionSynthesizer` (``num_classes``,
            ``batch_size``, ``image_size``, ``iterations`` = g, ``loss_bn``
            with ``momentum=0.9``, ``loss_oh``, ``loss_adv``, ``seed``).
    """

    REPTILE_SCALE = 67.0  # Fast-Datafree fast_meta.py, reptile_grad

    def __init__(self,
                 generator: dict,
                 lr_g: float = 5e-3,
                 lr_z: float = 0.015,
                 meta_update: str = 'fomaml',
                 reset_l0_round: Optional[int] = None,
                 view: Optional[List[dict]] = None,
                 **kwargs):
        super().__init__(**kwargs)
        if meta_update not in ('fomaml', 'reptile'):
            raise DFKDInputError(
                f"FastSynthesizer meta_update must be 'fomaml' or 'reptile',"
                f' got {meta_update!r}.')
        self.generator = MODELS.build(generator)
        self._check_generator(self.generator)
        self.lr_g, self.lr_z = lr_g, lr_z
        self.meta_update = meta_update
        self.reset_l0_round = reset_l0_round
        self.view = self._build_transforms(view if view is not None else [
            dict(type='BatchRandomCrop', padding=4),
            dict(type='BatchRandomFlip')])
        self.register_buffer('rounds', torch.zeros((), dtype=torch.long))
        self.register_optimizer(
            'meta', torch.optim.Adam(self.generator.parameters(),
                                     lr_g * self.iterations,
                                     betas=(0.5, 0.999)))

    @property
    def meta_optimizer(self) -> torch.optim.Optimizer:
        return self._optimizers['meta']

    def synthesize(self, teacher: nn.Module,
                   student: Optional[nn.Module] = None,
                   adversarial: bool = True) -> dict:
        self.rounds += 1
        if self.reset_l0_round is not None and \
                int(self.rounds) == self.reset_l0_round:
            self.reset_first_layer()
        device = self.mean.device
        z = self.randn(self.batch_size, self.generator.latent_dim,
                       device=device).requires_grad_()
        targets = self.draw_targets(self.batch_size, device)
        fast = copy.deepcopy(self.generator)
        optimizer = torch.optim.Adam(
            [dict(params=fast.parameters()), dict(params=[z], lr=self.lr_z)],
            lr=self.lr_g, betas=(0.5, 0.999))
        self.meta_optimizer.zero_grad()
        meta_params = list(self.generator.parameters())
        best = None
        for _ in range(self.iterations):
            raw = fast(z)                                  # (N, C, H, W)
            images = self.normalize(raw)
            view = raw  # the crop pads [0, 1] images with black
            for transform in self.view:
                view = transform(view, self.rng)
            view = self.normalize(view)
            losses, rec = self.inversion_losses(view, targets, teacher,
                                                student, adversarial)
            loss = sum(losses.values())
            best = self.keep_best(loss, images, best)
            optimizer.zero_grad()
            loss.backward()
            if self.meta_update == 'fomaml':
                for p, q in zip(meta_params, fast.parameters()):
                    if q.grad is not None:
                        p.grad = q.grad.clone() if p.grad is None \
                            else p.grad.add_(q.grad)
            optimizer.step()
        if self.loss_bn is not None and self.loss_bn.momentum > 0:
            self.loss_bn.update_ema(rec.means, rec.vars)
        if self.meta_update == 'reptile':
            for p, q in zip(meta_params, fast.parameters()):
                p.grad = self.REPTILE_SCALE * (p.detach() - q.detach())
        self.average_grads_over_ranks(meta_params)
        self.meta_optimizer.step()
        log = {k: v.detach() for k, v in losses.items()}
        log.update(loss=loss.detach(), best_loss=best[0])
        return dict(images=best[1], labels=targets, log=log)

    @torch.no_grad()
    def reset_first_layer(self) -> None:
        """``reset_l0``: the first layer re-drawn, N(0, 0.02), bias 0, from
        the synthesizer's generator; rank 0's draw is broadcast."""
        fc = self.generator.fc
        fc.weight.copy_(torch.randn(fc.weight.shape, generator=self.rng) *
                        0.02)
        fc.bias.zero_()
        if get_world_size() > 1:
            broadcast(fc.weight, 0)

    @torch.no_grad()
    def sample(self, num: int, labels=None, rng=None) -> torch.Tensor:
        """Images of the meta-generator (its BN in the current mode)."""
        z = torch.randn(num, self.generator.latent_dim, generator=rng)
        with sampling_mode(self.generator, self.generator.training):
            return self.normalize(self.generator(z.to(self.mean.device)))
