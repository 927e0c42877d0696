from typing import Dict

import torch
from mmengine.optim import OptimWrapperDict

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
        z = self.data_preprocessor(data, True)['inputs']   # (N, latent_dim)

        # 1. Generator step (Eq. 6): the teacher judges the images; the
        #    student is not in this graph.
        with optim_wrapper['generator'].optim_context(self.generator):
            images = self.generator(z)                      # (N, C, H, W)
            feats_T = self.teacher.extract_feat(images)     # ((N, D), )
            preds_T = self.teacher.head(feats_T)            # (N, K)
            losses_G = dict(
                loss_oh=self.loss_oh(preds_T),
                loss_ie=self.loss_ie(preds_T),
                loss_act=self.loss_act(feats_T[-1]))
        loss_G, log_G = self.parse_losses(losses_G)
        optim_wrapper['generator'].update_params(loss_G)

        # 2. Student step (Eq. 7) on the same, detached images and logits.
        with optim_wrapper['student'].optim_context(self.student):
            preds_S = self.student(images.detach())         # (N, K)
            losses_S = dict(loss_kd=self.loss_kd(preds_S, preds_T.detach()))
        loss_S, log_S = self.parse_losses(losses_S)
        optim_wrapper['student'].update_params(loss_S)
        return {**add_prefix(log_G, 'gen'), **add_prefix(log_S, 'stu')}
