from typing import Dict, Optional

import torch
from mmengine.optim import OptimWrapperDict

from mmdfkd.registry import MODELS
from mmdfkd.models import load_frozen
from mmdfkd.utils import DFKDInputError, add_prefix
from .base_dfkd import BaseDFKD


@MODELS.register_module()
class FrozenGeneratorKD(BaseDFKD):
    r"""Distil the teacher into the student on images of a trained, frozen
    generator: RDSKD's stage 3.

    `RDSKD <https://arxiv.org/abs/2011.03749>`_ (Han et al., ICASSP 2021),
    ``student-train.py`` of the official code: the generator saved by stage 2
    (:class:`RDSKD`) is loaded, frozen and kept in **eval mode**, so its BN
    layers (the last, affine-free one included) use the running statistics
    gathered while it was trained; each iteration draws fresh codes,

    .. math::
        x = G(z),\quad \mathcal{L}_S = \mathrm{KD}_\tau\big(S(x), T(x)\big)

    (:math:`\tau = 10` in RDSKD). Neither the teacher nor the generator gets
    a gradient: both run under ``torch.no_grad``.

    Args:
        loss_kd (dict): Student loss.
        generator_checkpoint (str, optional): The stage-2 weights: a plain
            state dict (``work_dir/generator.pth`` of the stage-2 run) or a
            whole stage-2 checkpoint with ``generator_prefix='generator.'``.
            Read with ``weights_only=True``, loaded strictly. Required
            unless ``init_random``.
        generator_prefix (str, optional): Key prefix to take the generator
            out of a whole-algorithm checkpoint. Defaults to None.
        init_random (bool): Keep the generator random (tests and speed
            benchmarks only). Defaults to False.
        **kwargs: Arguments of :class:`BaseDFKD` (``teacher``, ``student``,
            ``generator``, ``data_preprocessor``).
    """

    def __init__(self,
                 loss_kd: dict,
                 generator_checkpoint: Optional[str] = None,
                 generator_prefix: Optional[str] = None,
                 init_random: bool = False,
                 **kwargs):
        if generator_checkpoint is None and not init_random:
            raise DFKDInputError(
                'FrozenGeneratorKD has no generator_checkpoint: a random '
                'generator teaches nothing. Fix: point '
                '`model.generator_checkpoint` at the generator.pth of the '
                'generator run (RDSKD stage 2).')
        super().__init__(**kwargs)
        self.loss_kd = MODELS.build(loss_kd)
        load_frozen(self.generator, generator_checkpoint, what='generator',
                    prefix=generator_prefix)

    def train(self, mode: bool = True) -> 'FrozenGeneratorKD':
        super().train(mode)
        self.generator.eval()  # running BN statistics of stage 2
        return self

    @torch.no_grad()
    def sample(self, z: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Images of the frozen generator and the teacher's logits."""
        images = self.generator(z)                          # (N, C, H, W)
        return dict(images=images, preds_T=self.teacher(images))  # (N, K)

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        z = self.latent_codes(data)                         # (N, latent_dim)

        # Student step: KD on the frozen generator's images (sampled inside
        # the student's context, so they share its autocast setting).
        with optim_wrapper['student'].optim_context(self.student):
            batch = self.sample(z)
            preds_S = self.student(batch['images'])         # (N, K)
            losses = dict(loss_kd=self.loss_kd(preds_S, batch['preds_T']))
        loss, log_vars = self.parse_losses(losses)
        optim_wrapper['student'].update_params(loss)
        return add_prefix(log_vars, 'stu')
