from typing import Dict

import torch
from mmengine.optim import OptimWrapperDict

from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError, add_prefix, frozen
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
        z = self.data_preprocessor(data, True)['inputs']   # (N, k+1, latent)
        if z.dim() != 3 or z.size(1) != self.student_steps + 1:
            raise DFKDInputError(
                f'DFAD needs {self.student_steps + 1} latent codes per sample '
                f'(student_steps + 1), got inputs of shape {tuple(z.shape)}. '
                'Fix: train_dataloader.dataset.codes_per_sample = '
                f'{self.student_steps + 1}.')

        # 1. Student steps: imitate the teacher on images of the fixed
        #    generator.
        for step in range(self.student_steps):
            with optim_wrapper['student'].optim_context(self.student):
                with torch.no_grad():
                    images = self.generator(z[:, step])     # (N, C, H, W)
                    preds_T = self.teacher(images)          # (N, K)
                preds_S = self.student(images)              # (N, K)
                losses_S = dict(
                    loss_s=self.loss_discrepancy(preds_S, preds_T))
            loss_S, log_S = self.parse_losses(losses_S)
            optim_wrapper['student'].update_params(loss_S)

        # 2. Generator step: maximise the discrepancy; the student is frozen.
        with optim_wrapper['generator'].optim_context(self.generator):
            images = self.generator(z[:, -1])               # (N, C, H, W)
            preds_T = self.teacher(images)                  # (N, K)
            with frozen(self.student):
                preds_S = self.student(images)              # (N, K)
            losses_G = dict(
                loss_adv=-self.loss_discrepancy(preds_S, preds_T))
        loss_G, log_G = self.parse_losses(losses_G)
        optim_wrapper['generator'].update_params(loss_G)
        return {**add_prefix(log_G, 'gen'), **add_prefix(log_S, 'stu')}
