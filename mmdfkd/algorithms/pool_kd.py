from contextlib import nullcontext
from typing import Dict, Optional

import torch
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.runner.amp import autocast

from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError, add_prefix
from .base_dfkd import BaseDFKD


@MODELS.register_module()
class PoolKD(BaseDFKD):
    r"""Synthesis rounds into an image pool, the student distilled from the
    pool: the training loop of DeepInversion, CMI, Fast DFKD and NAYER.

    The method is its synthesizer (:class:`~mmdfkd.synthesizers.
    DeepInversionSynthesizer`, :class:`~mmdfkd.synthesizers.FastSynthesizer`,
    ...); this loop is zju-vipa's ``datafree_kd.py``, one iteration per KD
    step (Algorithm 1 of Fast DFKD):

    .. code-block:: none

        for round r = 1, 2, ...:
            B_r = synthesizer.synthesize(T, S)     # its own inner optimisers
            pool.add(B_r)                          # the round's best batch
            if r > warmup_rounds:                  # warm-up: synthesis only
                repeat kd_steps times:             # one train_step each
                    x = augment(pool.sample(batch_size))
                    S <- S - lr * grad KL(T(x) / tau || S(x) / tau) tau^2

    so iteration :math:`i` starts a round when :math:`i <` ``warmup_rounds``
    (each warm-up iteration is one round and no KD step) or when
    :math:`(i - \text{warmup}) \bmod` ``kd_steps`` :math:`= 0`; a schedule
    of the student (cosine after warm-up, as Fast DFKD) starts at
    ``begin=warmup_rounds``. ``rounds_per_synthesis`` rounds are made each
    time (NAYER's loops per epoch). The adversarial term of the synthesis
    is off during warm-up, as in the official code.

    Synthesis runs in float32 by default: under bfloat16 autocast the
    inversion barely converges (Fast-5 on digits, 30 rounds: the teacher
    gives the targets to 9 % of the images against 38 % in float32, BN loss
    64 against 34), the BN-statistics and CE gradients being small
    differences. ``synthesis_amp=True`` runs it under the student
    optimizer's autocast (bfloat16 where native). The student's KD step
    always runs under its optimizer's autocast. The synthesizer
    takes the teacher's normalisation from this algorithm's data
    preprocessor. The iteration counter is a buffer: ``--resume`` continues
    the schedule.

    Args:
        loss_kd (dict): The student's loss, ``KDLoss(tau=20)`` in CMI / Fast
            / NAYER.
        batch_size (int): Student batch per KD step.
        kd_steps (int): KD steps per synthesis (400 in the official
            scripts).
        warmup_rounds (int): Rounds of synthesis only before the first KD
            step (Fast, NAYER: 20). Defaults to 0.
        rounds_per_synthesis (int): Rounds each time a synthesis is due.
            Defaults to 1.
        synthesis_amp (bool): Synthesise under the student optimizer's
            autocast. Defaults to False (float32).
        **kwargs: :class:`BaseDFKD` (``teacher``, ``student``,
            ``synthesizer``, ``image_pool``, ``data_preprocessor``).
    """

    image_sources = ('synthesizer', 'image_pool')

    def __init__(self,
                 loss_kd: dict,
                 batch_size: int,
                 kd_steps: int,
                 warmup_rounds: int = 0,
                 rounds_per_synthesis: int = 1,
                 synthesis_amp: bool = False,
                 **kwargs):
        super().__init__(**kwargs)
        if self.student is None:
            raise DFKDInputError('PoolKD distils a student: give `student`.')
        if kd_steps < 1 or batch_size < 1 or rounds_per_synthesis < 1:
            raise DFKDInputError(
                f'PoolKD needs kd_steps, batch_size and rounds_per_synthesis '
                f'>= 1, got {kd_steps}, {batch_size}, {rounds_per_synthesis}.')
        self.loss_kd = MODELS.build(loss_kd)
        self.batch_size = batch_size
        self.kd_steps = kd_steps
        self.warmup_rounds = warmup_rounds
        self.rounds_per_synthesis = rounds_per_synthesis
        self.synthesis_amp = synthesis_amp
        self.register_buffer('num_iters', torch.zeros((), dtype=torch.long))
        self._iter: Optional[int] = None  # host copy of num_iters
        self.image_source.prepare(self.teacher)  # checks / sizes, once
        pre = self.data_preprocessor
        if getattr(pre, '_enable_normalize', False):
            self.image_source.set_normalization(pre.mean.flatten(),
                                                pre.std.flatten())

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        it = self._host_iter()
        warming_up = it < self.warmup_rounds
        log = {}
        if warming_up or (it - self.warmup_rounds) % self.kd_steps == 0:
            for _ in range(self.rounds_per_synthesis):
                log_syn = self.synthesize(optim_wrapper['student'],
                                          adversarial=not warming_up)
            log.update(add_prefix(log_syn, 'syn'))
        if not warming_up:
            batch = self.image_pool.sample(self.batch_size)
            log.update(add_prefix(
                self.train_student(batch, optim_wrapper['student']), 'stu'))
        self.num_iters += 1
        self._iter = it + 1
        return log

    def synthesize(self, wrapper: OptimWrapper,
                   adversarial: bool) -> Dict[str, torch.Tensor]:
        """One round of the synthesizer, its best batch into the pool."""
        # the student unwrapped: its frozen forward must not enter DDP's
        # gradient bookkeeping
        student = self.student.module if is_model_wrapper(self.student) \
            else self.student
        with self._autocast(wrapper) if self.synthesis_amp else \
                nullcontext():
            batch = self.image_source.synthesize(
                self.teacher, student, adversarial=adversarial)
        self.image_pool.add(batch)
        return batch['log']

    def train_student(self, batch: Dict[str, torch.Tensor],
                      wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        r""":math:`\tau^2\,\mathrm{KL}` to the teacher on pool images."""
        images = batch[self.image_pool.keys[0]]
        with wrapper.optim_context(self.student):
            with torch.no_grad():
                logits_T = self.teacher(images)
            losses = dict(loss_kd=self.loss_kd(self.student(images),
                                               logits_T))
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        return log_vars

    def _host_iter(self) -> int:
        # one device-to-host copy per run (and after a resume), not per step
        if self._iter is None:
            self._iter = int(self.num_iters)
        return self._iter

    def _load_from_state_dict(self, *args, **kwargs):
        self._iter = None  # a loaded checkpoint sets num_iters
        return super()._load_from_state_dict(*args, **kwargs)

    @staticmethod
    def _autocast(wrapper: OptimWrapper):
        dtype = getattr(wrapper, 'cast_dtype', None)
        if dtype is None:
            return nullcontext()
        return autocast(device_type=wrapper.device_type, dtype=dtype)
