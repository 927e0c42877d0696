from typing import Dict, Optional

import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmdfkd.registry import MODELS
from mmdfkd.utils import BNStatsRecorder, DFKDInputError, add_prefix, frozen
from .base_dfkd import BaseDFKD


@MODELS.register_module()
class DFQ(BaseDFKD):
    r"""DFQ as run in the zju-vipa data-free benchmark.

    `Choi et al., CVPRW 2020 <https://arxiv.org/abs/2005.04136>`_, in the
    form of zju-vipa/CMI's ``GenerativeSynthesizer`` + ``datafree_kd.py``
    (``--method dfq``; ``scripts/dfq/*.sh``). Each iteration is one
    generator step on fresh codes, then ``student_steps`` student steps,
    each on a new batch of the generator (no gradient), scored by KL at
    temperature ``T``:

    .. math::
        \mathcal{L}_G = w_{bn}\, \mathcal{L}_{BN}(T)
        + w_{oh}\, \mathrm{CE}\big(T(x), \arg\max T(x)\big)
        - w_{adv}\, \mathrm{KL}\big(T(x) \,\|\, S(x)\big)
        + w_{bal} \sum_k \bar p_k \log \bar p_k,
        \qquad x = G(z),\ \bar p = \tfrac1N \sum_i \mathrm{softmax}(T(x_i))

    Benchmark weights (CIFAR): bn 1, oh 1, adv 1, balance 20, act 0; Adam
    1e-3 (0.5, 0.999) for G; 10 student steps per generator step; KL at
    T = 1; SGD 0.05 for S. **One deliberate difference**: the benchmark
    builds its synthesizer with ``student=teacher``, so its adversarial
    term is KL(T || T) = 0 and gives no gradient; here it uses the student,
    as the method intends. ``loss_adv=None`` reproduces the benchmark.

    The train loader yields ``student_steps + 1`` codes per sample
    (``LatentDataset(codes_per_sample=student_steps + 1)``): the first for
    the generator step, one per student step after it.

    Args:
        loss_bn (dict): BN-statistics loss on the teacher.
        loss_oh (dict): CE to the teacher's own top-1 (``OneHotLoss``).
        loss_balance (dict): Negative entropy of the batch-mean prediction
            (``InfoEntropyLoss`` with ``log_base=e``).
        loss_kd (dict): The student's KL (``KDLoss``); the generator
            maximises the same divergence through ``loss_adv``.
        loss_adv (dict, optional): Its weight: ``dict(loss_weight=w)``
            (the divergence is ``loss_kd``'s). None: no adversarial term.
        student_steps (int): Student steps per generator step. Defaults
            to 10.
        **kwargs: Arguments of :class:`BaseDFKD`.
    """

    def __init__(self, loss_bn: dict, loss_oh: dict, loss_balance: dict,
                 loss_kd: dict, loss_adv: Optional[dict] = None,
                 student_steps: int = 10, **kwargs):
        super().__init__(**kwargs)
        if student_steps < 1:
            raise DFKDInputError(
                f'DFQ student_steps={student_steps}: the student needs at '
                'least one step per generator step. Fix: model.'
                'student_steps=N with N >= 1 (the benchmark: 10).')
        self.loss_bn = MODELS.build(loss_bn)
        self.check_bn_teachers()
        self.loss_oh = MODELS.build(loss_oh)
        self.loss_balance = MODELS.build(loss_balance)
        self.loss_kd = MODELS.build(loss_kd)
        self.adv_weight = None if loss_adv is None else float(
            loss_adv.get('loss_weight', 1.0))
        self.student_steps = student_steps

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        z = self.latent_codes(data, self.student_steps + 1)  # (N, k+1, latent)
        log_G = self.train_generator(z[:, 0], optim_wrapper['generator'])
        for step in range(1, self.student_steps + 1):
            log_S = self.train_student(z[:, step], optim_wrapper['student'])
        return {**add_prefix(log_G, 'gen'), **add_prefix(log_S, 'stu')}

    def train_generator(self, z: torch.Tensor,
                        wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        """BN statistics, confident and balanced teacher predictions, and
        (if set) a large teacher-student divergence; S is frozen."""
        with wrapper.optim_context(self.generator):
            images = self.generator(z)                      # (N, C, H, W)
            with BNStatsRecorder(self.teacher) as rec:
                logits_T = self.teacher(images)             # (N, K)
            losses = dict(loss_bn=self.loss_bn(*rec.statistics()),
                          loss_oh=self.loss_oh(logits_T),
                          loss_balance=self.loss_balance(logits_T))
            if self.adv_weight is not None:
                with frozen(self.student):
                    logits_S = self.student(images)
                losses['loss_adv'] = -self.adv_weight * self.loss_kd(
                    logits_S, logits_T)
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        return log_vars

    def train_student(self, z: torch.Tensor,
                      wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        """KL to the teacher on a new batch of the generator."""
        with wrapper.optim_context(self.student):
            with torch.no_grad():
                images = self.generator(z)
                logits_T = self.teacher(images)
            losses = dict(loss_kd=self.loss_kd(self.student(images),
                                               logits_T))
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        return log_vars
