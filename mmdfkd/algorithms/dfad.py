from typing import Dict

import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmdfkd.registry import MODELS
from mmdfkd.utils import add_prefix, frozen
from .base_dfkd import BaseDFKD


@MODELS.register_module()
class DFAD(BaseDFKD):
    r"""DFAD: Data-Free Adversarial Distillation.

    `Fang et al., 2019 <https://arxiv.org/abs/1912.11006>`_; faithful to the
    official code (VainF/Data-Free-Adversarial-Distillation). A min-max game
    on the discrepancy :math:`D` (L1 between logits, Eq. 4):

    .. math::
        \min_S \max_G \; \mathbb{E}_z\, D\big(T(G(z)), S(G(z))\big)

    Each iteration makes ``student_steps`` student updates on fresh images of
    the (fixed) generator, then one generator update that maximises the
    discrepancy. The generator step puts no gradient on the student.

    The train loader must yield ``student_steps + 1`` codes per sample
    (``LatentDataset(codes_per_sample=student_steps + 1)``): one batch of
    codes per update.

    Args:
        loss_discrepancy (dict): :math:`D`, minimised by the student and
            maximised by the generator.
        student_steps (int): Student updates per generator update.
            Defaults to 5.
        **kwargs: Arguments of :class:`BaseDFKD`.
    """

    def __init__(self,
                 loss_discrepancy: dict,
                 student_steps: int = 5,
                 **kwargs):
        super().__init__(**kwargs)
        self.loss_discrepancy = MODELS.build(loss_discrepancy)
        self.student_steps = student_steps

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        z = self.latent_codes(data, self.student_steps + 1)  # (N, k+1, latent)
        for step in range(self.student_steps):
            log_S = self.train_student(z[:, step], optim_wrapper['student'])
        log_G = self.train_generator(z[:, -1], optim_wrapper['generator'])
        return {**add_prefix(log_G, 'gen'), **add_prefix(log_S, 'stu')}

    def train_student(self, z: torch.Tensor,
                      wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        """Imitate the teacher on images of the fixed generator."""
        with wrapper.optim_context(self.student):
            with torch.no_grad():
                images = self.generator(z)                  # (N, C, H, W)
                logits_T = self.teacher(images)             # (N, K)
            losses = dict(loss_s=self.loss_discrepancy(
                self.student(images), logits_T))
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        return log_vars

    def train_generator(self, z: torch.Tensor,
                        wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        """Maximise the discrepancy; the student is frozen."""
        with wrapper.optim_context(self.generator):
            images = self.generator(z)                      # (N, C, H, W)
            logits_T = self.teacher(images)                 # (N, K)
            with frozen(self.student):
                logits_S = self.student(images)             # (N, K)
            losses = dict(
                loss_adv=-self.loss_discrepancy(logits_S, logits_T))
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        return log_vars
