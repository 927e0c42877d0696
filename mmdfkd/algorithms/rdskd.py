from typing import Dict

import torch
from mmengine.optim import OptimWrapperDict

from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError, add_prefix
from .base_dfkd import BaseDFKD


@MODELS.register_module()
class RDSKD(BaseDFKD):
    r"""RDSKD, stage 2: train the generator against the frozen teacher.

    `Robustness and Diversity Seeking Data-Free Knowledge Distillation
    <https://arxiv.org/abs/2011.03749>`_ (Han et al., ICASSP 2021), faithful
    to the official code (PengchaoHan/RDSKD, ``generator-train.py``). RDSKD
    is three ordinary runs: (1) the teacher, (2) this generator run, which
    involves no student, and (3) :class:`FrozenGeneratorKD`, the student
    learning from the generator frozen in eval mode.

    The batch is two half-batches of independent codes. The generator loss
    damps the fluctuation between authenticity and class diversity by
    penalising *increments* exponentially, with no loss weights:

    .. math::
        \mathcal{L}_G = e^{\mathcal{L}_{oh} - \mathcal{L}_{oh}^{prev}}
        + e^{\mathcal{L}_{ie} - \mathcal{L}_{ie}^{prev}} + \mathcal{L}_{ds},

    where :math:`\mathcal{L}_{oh}` is the one-hot loss,
    :math:`\mathcal{L}_{ie}` the negative natural-log entropy of the batch's
    mean prediction and :math:`\mathcal{L}_{ds}` the mode-seeking diversity
    term (:class:`ModeSeekingLoss`). The snapshots
    :math:`\mathcal{L}^{prev}` start at 0 and are replaced once per epoch
    (``epoch_length`` iterations), after the update of the epoch's
    iteration ``snapshot_iter`` (1 in the official code), by that
    iteration's losses. They are buffers, so a resumed run continues with
    the same snapshots.

    The official code runs the teacher on each half-batch separately; the
    teacher is in eval mode, so one forward over the batch gives the same
    logits, which is what :meth:`train_step` does. Under DDP each rank
    splits its own batch and keeps its own snapshots (the official code is
    single-GPU); the generator's gradients are averaged as usual.

    Args:
        loss_oh (dict): One-hot loss :math:`\mathcal{L}_{oh}`.
        loss_ie (dict): Information-entropy loss :math:`\mathcal{L}_{ie}`
            (``InfoEntropyLoss`` with ``log_base=math.e``).
        loss_ds (dict): Diversity loss :math:`\mathcal{L}_{ds}`.
        epoch_length (int): Iterations per snapshot period. Defaults to 120,
            the official epoch.
        snapshot_iter (int): Iteration of each period, counted from 0, whose
            losses become the snapshots. Defaults to 1, as the official
            code.
        **kwargs: Arguments of :class:`BaseDFKD` (``teacher``,
            ``generator``, ``data_preprocessor``); ``student`` stays None.
    """

    def __init__(self,
                 loss_oh: dict,
                 loss_ie: dict,
                 loss_ds: dict,
                 epoch_length: int = 120,
                 snapshot_iter: int = 1,
                 **kwargs):
        if kwargs.get('student') is not None:
            raise DFKDInputError(
                'RDSKD trains the generator alone (stage 2); its student '
                'learns in stage 3 (FrozenGeneratorKD). Fix: remove '
                '`student` from the RDSKD model config.')
        kwargs['student'] = None
        super().__init__(**kwargs)
        if not 0 <= snapshot_iter < epoch_length:
            raise DFKDInputError(
                'RDSKD: snapshot_iter must be in [0, epoch_length), got '
                f'{snapshot_iter} and {epoch_length}.')
        self.loss_oh = MODELS.build(loss_oh)
        self.loss_ie = MODELS.build(loss_ie)
        self.loss_ds = MODELS.build(loss_ds)
        self.epoch_length = epoch_length
        self.snapshot_iter = snapshot_iter
        self.register_buffer('loss_oh_prev', torch.zeros(()))
        self.register_buffer('loss_ie_prev', torch.zeros(()))
        self.register_buffer('num_steps', torch.zeros((), dtype=torch.long))

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        z = self.latent_codes(data)                         # (N, latent_dim)
        if z.size(0) % 2:
            raise DFKDInputError(
                f'RDSKD splits each batch into two halves; got {z.size(0)} '
                'codes. Fix: an even train_dataloader.batch_size (per GPU).')

        # Generator step: the first and second half of the batch are the
        # half-batches x1, x2 of the official code.
        with optim_wrapper['generator'].optim_context(self.generator):
            images = self.generator(z)                      # (N, C, H, W)
            preds_T = self.teacher(images)                  # (N, K)
            loss_oh = self.loss_oh(preds_T)
            loss_ie = self.loss_ie(preds_T)
            losses = dict(
                loss_oh_exp=torch.exp(loss_oh - self.loss_oh_prev),
                loss_ie_exp=torch.exp(loss_ie - self.loss_ie_prev),
                loss_ds=self.loss_ds(images, preds_T))
        loss, log_vars = self.parse_losses(losses)
        optim_wrapper['generator'].update_params(loss)

        # Refresh the snapshots once per epoch, after its snapshot_iter.
        if int(self.num_steps) % self.epoch_length == self.snapshot_iter:
            self.loss_oh_prev.copy_(loss_oh.detach())
            self.loss_ie_prev.copy_(loss_ie.detach())
        self.num_steps += 1
        log_vars.update(oh=loss_oh.detach(), ie=loss_ie.detach())
        return add_prefix(log_vars, 'gen')
