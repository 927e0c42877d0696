from typing import Dict, List, Optional

import torch
from mmengine.optim import OptimWrapperDict

from mmdfkd.registry import MODELS
from mmdfkd.utils import BNStatsRecorder, DFKDInputError, add_prefix, frozen
from .base_dfkd import BaseDFKD


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

    The generator loss is back-propagated teacher by teacher into the images
    (the student's graph is kept, each teacher's is freed), so memory stays
    flat in :math:`N`, then once through the generator (one DDP gradient
    sync); gradients flow through the frozen teachers and the frozen
    student to the images only. As in the official code the student stays
    in train mode during the generator step, so its BN running statistics
    also see those batches.

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

    @torch.no_grad()
    def teacher_outputs(self, images: torch.Tensor) -> Dict[str, List]:
        """Every teacher's logits ``T_i`` (N, K) and pooled features
        ``f^T_i`` (N, D), in header order."""
        logits, feats = [], []
        for teacher in self.frozen_teachers().values():
            f = teacher.extract_feat(images)                # ((N, D), )
            logits.append(teacher.head(f))                  # (N, K)
            feats.append(f[-1])                             # (N, D)
        return dict(logits=logits, feats=feats)

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        z = self.data_preprocessor(data, True)['inputs']   # (N, k+1, latent)
        if z.dim() != 3 or z.size(1) != self.student_steps + 1:
            raise DFKDInputError(
                f'CDFKD-MFS needs {self.student_steps + 1} latent codes per '
                f'sample (student_steps + 1), got inputs of shape '
                f'{tuple(z.shape)}. Fix: train_dataloader.dataset.'
                f'codes_per_sample = {self.student_steps + 1}.')
        num_t = len(self.frozen_teachers())

        # 1. Student steps on images of the fixed generator.
        for step in range(self.student_steps):
            with optim_wrapper['student'].optim_context(self.student):
                with torch.no_grad():
                    images = self.generator(z[:, step])     # (N, C, H, W)
                out_T = self.teacher_outputs(images)
                logits_S, feats_S = self.student(images, mode='heads')
                losses_S = dict(
                    loss_head=sum(
                        self.loss_head(s, t)
                        for s, t in zip(logits_S, out_T['logits'])) / num_t,
                    loss_ens=self.loss_ens(
                        torch.stack(logits_S).mean(0),      # (N, K)
                        torch.stack(out_T['logits']).mean(0)))
                if self.loss_feat is not None:
                    losses_S['loss_feat'] = sum(
                        self.loss_feat(s, t)
                        for s, t in zip(feats_S, out_T['feats'])) / num_t
            loss_S, log_S = self.parse_losses(losses_S)
            optim_wrapper['student'].update_params(loss_S)

        # 2. Generator step: maximise the per-header discrepancy, match the
        #    teachers' BN statistics. The loss is back-propagated teacher by
        #    teacher into the images (memory flat in N), then once through
        #    the generator, so DDP syncs its gradients in one backward.
        wrapper_G = optim_wrapper['generator']
        log_G = dict(loss_adv=0., loss_bn=0.)
        with wrapper_G.optim_context(self.generator):
            images = self.generator(z[:, -1])               # (N, C, H, W)
            x = images.detach().requires_grad_()
            with frozen(self.student):
                logits_S, _ = self.student(x, mode='heads')
            for i, teacher in enumerate(self.frozen_teachers().values()):
                with BNStatsRecorder(teacher) as rec:
                    logits_T = teacher(x)                   # (N, K)
                loss_adv = -self.loss_adv(logits_S[i], logits_T) / num_t
                loss_bn = self.loss_bn(rec.means, rec.vars, rec.running_means,
                                       rec.running_vars) / num_t
                torch.autograd.backward(          # accumulates into x.grad
                    loss_adv + loss_bn, inputs=[x],
                    retain_graph=i < num_t - 1)   # the student's graph
                log_G['loss_adv'] += loss_adv.detach()
                log_G['loss_bn'] += loss_bn.detach()
                del rec, logits_T                 # free teacher i's graph
        wrapper_G.backward(images, gradient=x.grad.to(images.dtype))
        wrapper_G.step()
        wrapper_G.zero_grad()
        log_G['loss'] = log_G['loss_adv'] + log_G['loss_bn']
        return {**add_prefix(log_G, 'gen'), **add_prefix(log_S, 'stu')}
