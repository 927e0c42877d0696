from typing import Dict

import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmdfkd.registry import MODELS
from mmdfkd.utils import add_prefix
from .base_dfkd import BaseDFKD


@MODELS.register_module()
class DAFL(BaseDFKD):
    r"""DAFL: Data-Free Learning of Student Networks.

    `Chen et al., ICCV 2019 <https://arxiv.org/abs/1904.01186>`_; faithful to
    the official code (huawei-noah/Data-Efficient-Model-Compression, DAFL).
    The generator learns images the teacher finds natural (Eq. 6),

    .. math::
        \mathcal{L}_G = \mathcal{L}_{oh} + \beta\,\mathcal{L}_{ie}
        + \alpha\,\mathcal{L}_a,

    and the student imitates the teacher on the same images (Eq. 7),
    :math:`\mathcal{L}_S = \mathrm{KD}(y_S, y_T)`. The official code sums
    both losses and steps both optimizers after one backward; the student's
    input is detached, so this equals a generator step followed by a student
    step on the pre-update images and teacher logits, which is what
    :meth:`train_step` does.

    Args:
        loss_oh (dict): One-hot loss :math:`\mathcal{L}_{oh}`.
        loss_ie (dict): Information-entropy loss, weight :math:`\beta`.
        loss_act (dict): Activation loss, weight :math:`\alpha`.
        loss_kd (dict): Student loss.
        **kwargs: Arguments of :class:`BaseDFKD` (``teacher``, ``student``,
            ``generator``, ``data_preprocessor``).
    """

    def __init__(self, loss_oh: dict, loss_ie: dict, loss_act: dict,
                 loss_kd: dict, **kwargs):
        super().__init__(**kwargs)
        self.loss_oh = MODELS.build(loss_oh)
        self.loss_ie = MODELS.build(loss_ie)
        self.loss_act = MODELS.build(loss_act)
        self.loss_kd = MODELS.build(loss_kd)

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        z = self.latent_codes(data)                         # (N, latent_dim)
        log_G, images, logits_T = self.train_generator(
            z, optim_wrapper['generator'])
        log_S = self.train_student(images, logits_T, optim_wrapper['student'])
        return {**add_prefix(log_G, 'gen'), **add_prefix(log_S, 'stu')}

    def train_generator(self, z: torch.Tensor, wrapper: OptimWrapper):
        """Eq. 6: the teacher judges the images; the student is not in this
        graph. Returns the log, the (detached) images and teacher logits."""
        with wrapper.optim_context(self.generator):
            images = self.generator(z)                      # (N, C, H, W)
            feats_T = self.teacher.extract_feat(images)     # ((N, D), )
            logits_T = self.teacher.head(feats_T)           # (N, K)
            losses = dict(
                loss_oh=self.loss_oh(logits_T),
                loss_ie=self.loss_ie(logits_T),
                loss_act=self.loss_act(feats_T[-1]))
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        return log_vars, images.detach(), logits_T.detach()

    def train_student(self, images: torch.Tensor, logits_T: torch.Tensor,
                      wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        """Eq. 7 on the generator step's images and teacher logits."""
        with wrapper.optim_context(self.student):
            losses = dict(loss_kd=self.loss_kd(self.student(images), logits_T))
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        return log_vars
