from functools import partial
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmdfkd.models import TeacherGroup, group_teachers
from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError, add_prefix, frozen
from .base_dfkd import BaseDFKD


def _forget_teacher_groups(algorithm: 'CDFKDMFS', teacher: nn.Module,
                           incompatible_keys) -> None:
    algorithm._teacher_groups = None


@MODELS.register_module()
class CDFKDMFS(BaseDFKD):
    r"""CDFKD-MFS: several teachers into one multi-header student.

    `Collaborative Data-free Knowledge Distillation via Multi-level Feature
    Sharing <https://arxiv.org/abs/2205.11845>`_ (Hao et al., IEEE TMM 2022),
    faithful to the official code (Hao840/CDFKD-MFS, ``CDFKD_MFS.py``).
    Teacher :math:`i` (of :math:`N`, in the order of ``teachers``) is paired
    with header :math:`i` of a :class:`~mmdfkd.models.MultiHeaderClassifier`
    student; the prediction is the mean of the header logits (or the
    attention of :class:`AttentionAggregation`, a second run).

    **Asymmetric adversarial KD.** Each iteration makes ``student_steps``
    student updates on fresh images of the fixed generator,

    .. math::
        \mathcal{L}_S = \frac{1}{N}\sum_i \ell_1(S_i, T_i)
        + \frac{w_f}{N}\sum_i \ell_{feat}(f^S_i, f^T_i)
        + w_{ens}\,\ell_1\Big(\frac{1}{N}\sum_i S_i,
        \frac{1}{N}\sum_i T_i\Big),

    then one generator update that maximises only the per-header
    discrepancy, regularised by every teacher's BN statistics:

    .. math::
        \mathcal{L}_G = \sum_i \frac{1}{N}\Big(-\ell_1(S_i, T_i)
        + w_{bn} \sum_l \rho_l\, r_l(T_i)\Big).

    The generator loss is back-propagated teacher group by teacher group
    into the images (each group's graph is freed), then once through the
    student into the images and once through the generator, by the optim
    wrapper's ``update_params`` (one DDP gradient sync, gradient
    accumulation honoured); gradients flow through the
    frozen teachers and the frozen student to the images only
    (:meth:`train_generator`). As in the official code the student stays
    in train mode during the generator step, so its BN running statistics
    also see those batches.

    **Teacher groups.** Teachers that all share one architecture run
    stacked into one network
    (:func:`~mmdfkd.models.teacher_group.group_teachers`: one grouped layer
    per layer, checked on the first batch to give each teacher's outputs),
    which is faster but holds every teacher's activations at once in the
    generator step (and a second copy of their weights); otherwise they run
    one by one, one teacher's graph at a time.

    The train loader must yield ``student_steps + 1`` codes per sample
    (``LatentDataset(codes_per_sample=student_steps + 1)``).

    Args:
        loss_head (dict): :math:`\ell_1` between header and teacher logits,
            weight :math:`w_s` (1); its negative, weight :math:`w_g`, is the
            generator's adversarial term (``loss_adv``).
        loss_adv (dict): The generator's discrepancy, maximised.
        loss_ens (dict): Ensemble :math:`\ell_1`, weight :math:`w_{ens}`.
        loss_bn (dict): BN-statistics loss on each teacher,
            weight :math:`w_{bn}`, first-layer multiplier :math:`\rho_0`.
        loss_feat (dict, optional): Feature loss, weight :math:`w_f`; None
            when header and teacher features differ in size. Defaults to
            None.
        student_steps (int): Student updates per generator update.
            Defaults to 5.
        stack_teachers (bool): Run teachers of one architecture as one
            stacked network; False runs them one by one (same result up to
            float rounding). Defaults to True.
        **kwargs: Arguments of :class:`BaseDFKD`: ``teachers`` (a dict, in
            header order), ``student``, ``generator``, ``data_preprocessor``.
    """

    multi_teacher = True

    def __init__(self,
                 loss_head: dict,
                 loss_adv: dict,
                 loss_ens: dict,
                 loss_bn: dict,
                 loss_feat: Optional[dict] = None,
                 student_steps: int = 5,
                 stack_teachers: bool = True,
                 **kwargs):
        super().__init__(**kwargs)
        num_heads = getattr(self.student, 'num_heads', None)
        if num_heads != len(self.frozen_teachers()):
            raise DFKDInputError(
                f'CDFKD-MFS pairs header i with teacher i: the student has '
                f'{num_heads} headers for {len(self.frozen_teachers())} '
                'teachers. Fix: a MultiHeaderClassifier student whose '
                'backbone has num_heads = the number of teachers.')
        self.loss_head = MODELS.build(loss_head)
        self.loss_adv = MODELS.build(loss_adv)
        self.loss_ens = MODELS.build(loss_ens)
        self.loss_bn = MODELS.build(loss_bn)
        self.check_bn_teachers()
        self.loss_feat = None if loss_feat is None else MODELS.build(
            loss_feat)
        if self.loss_feat is not None:
            dim_S = self.student.backbone.out_channels
            for name, teacher in self.frozen_teachers().items():
                dim_T = getattr(teacher.head, 'in_channels', dim_S)
                if dim_T != dim_S:
                    raise DFKDInputError(
                        f'CDFKD-MFS feature loss: header features are '
                        f'{dim_S}-d but teacher {name} pools {dim_T}-d ones '
                        '(the paper uses no adapter). Fix: loss_feat=None '
                        'for this teacher-student pair.')
        self.student_steps = student_steps
        self.stack_teachers = stack_teachers
        self._teacher_groups: Optional[List[TeacherGroup]] = None
        self._groups_built_for = None
        # the stacked copy goes stale when a teacher's weights are loaded
        # (through the algorithm or the teacher itself)
        for teacher in self.frozen_teachers().values():
            teacher.register_load_state_dict_post_hook(
                partial(_forget_teacher_groups, self))
        self.student_losses = ('loss_head', 'loss_ens') + (
            ('loss_feat', ) if loss_feat is not None else ())

    def teacher_groups(self, images: torch.Tensor) -> List[TeacherGroup]:
        """The teachers, in header order, as groups (:class:`TeacherGroup`),
        built on the first batch (the check of ``group_teachers`` runs on
        it) and again after a device or dtype change or a teacher weight
        load. Not submodules: nothing of them enters the checkpoint."""
        teachers = list(self.frozen_teachers().values())
        weight = next(teachers[0].parameters())
        if self._teacher_groups is None or self._groups_built_for != (
                weight.device, weight.dtype):
            self._teacher_groups = group_teachers(
                teachers, images.detach(), stack=self.stack_teachers)
            self._groups_built_for = (weight.device, weight.dtype)
        return self._teacher_groups

    @torch.no_grad()
    def teacher_outputs(self, images: torch.Tensor) -> Dict[str, List]:
        """Every teacher's logits ``T_i`` (N, K) and pooled features
        ``f^T_i`` (N, D), in header order."""
        logits, feats = [], []
        for group in self.teacher_groups(images):
            group_logits, group_feats = group.outputs(images)
            logits += group_logits                          # k x (N, K)
            feats += group_feats                            # k x (N, D)
        return dict(logits=logits, feats=feats)

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        z = self.latent_codes(data, self.student_steps + 1)  # (N, k+1, latent)
        for step in range(self.student_steps):
            log_S = self.train_student(z[:, step], optim_wrapper['student'])
        log_G = self.train_generator(z[:, -1], optim_wrapper['generator'])
        return {**add_prefix(log_G, 'gen'), **add_prefix(log_S, 'stu')}

    def train_student(self, z: torch.Tensor,
                      wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        r""":math:`\mathcal{L}_S` on images of the fixed generator."""
        num_t = len(self.frozen_teachers())
        with wrapper.optim_context(self.student):
            with torch.no_grad():
                images = self.generator(z)                  # (N, C, H, W)
            out_T = self.teacher_outputs(images)
            logits_S, feats_S = self.student(images, mode='heads')
            terms = dict(
                loss_head=lambda: sum(
                    self.loss_head(s, t)
                    for s, t in zip(logits_S, out_T['logits'])) / num_t,
                loss_ens=lambda: self.loss_ens(
                    torch.stack(logits_S).mean(0),          # (N, K)
                    torch.stack(out_T['logits']).mean(0)),
                loss_feat=lambda: sum(
                    self.loss_feat(s, t)
                    for s, t in zip(feats_S, out_T['feats'])) / num_t)
            losses = {name: terms[name]() for name in self.student_losses}
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        return log_vars

    def train_generator(self, z: torch.Tensor,
                        wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        r""":math:`\mathcal{L}_G`, back-propagated teacher group by group.

        The images are cut from the generator's graph (``x``) and the
        student's header logits from the student's (``heads``). Each
        teacher group's loss is back-propagated into ``x`` and its
        members' ``heads`` and its graph freed (one teacher's graph at a
        time when the teachers do not stack); then
        the student's graph is traversed once with the gathered header
        gradients, and the generator receives :math:`\partial
        \mathcal{L}_G / \partial x` through the surrogate
        :math:`\langle x, \mathrm{sg}(\partial\mathcal{L}_G/\partial x)
        \rangle`, whose gradient is the same, by the wrapper's own
        ``update_params`` (gradient accumulation, loss scaling and the DDP
        sync of one backward all apply).
        """
        num_t = len(self.frozen_teachers())
        log_vars = dict(loss_adv=0., loss_bn=0.)
        with wrapper.optim_context(self.generator):
            images = self.generator(z)                      # (N, C, H, W)
            x = images.detach().requires_grad_()
            with frozen(self.student):
                logits_S, _ = self.student(x, mode='heads')  # H x (N, K)
            heads = [s.detach().requires_grad_() for s in logits_S]
            unpaired = iter(heads)
            for group in self.teacher_groups(x):
                with group.recorder() as rec:
                    logits_T = group(x)                     # k x (N, K)
                mine = [next(unpaired) for _ in logits_T]   # their headers
                loss_adv = -sum(self.loss_adv(h, t) for h, t in zip(
                    mine, logits_T)) / num_t
                loss_bn = sum(self.loss_bn(*stats)
                              for stats in group.statistics(rec)) / num_t
                torch.autograd.backward(loss_adv + loss_bn, inputs=[x, *mine])
                log_vars['loss_adv'] += loss_adv.detach()
                log_vars['loss_bn'] += loss_bn.detach()
                del rec, logits_T                 # free this group's graph
            torch.autograd.backward(                # the student, once
                logits_S, [h.grad for h in heads], inputs=[x])
            surrogate = (images * x.grad.to(images.dtype)).sum()
        wrapper.update_params(surrogate)
        log_vars['loss'] = log_vars['loss_adv'] + log_vars['loss_bn']
        return log_vars
