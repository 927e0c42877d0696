from typing import Dict, Optional, Sequence, Tuple

import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmdfkd.models import pair_stages, stage_outputs
from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError, add_prefix, frozen
from .base_dfkd import BaseDFKD


@MODELS.register_module()
class ZSKT(BaseDFKD):
    r"""ZSKT: Zero-shot Knowledge Transfer via Adversarial Belief Matching.

    `Micaelli & Storkey, NeurIPS 2019 <https://arxiv.org/abs/1905.09768>`_,
    faithful to the official code (polo5/ZeroShotKnowledgeTransfer,
    ``solver.py``). A generator searches for images on which student and
    teacher disagree; the student matches the teacher's beliefs and its
    attention maps on them. With :math:`x = G(z)` and the divergence

    .. math::
        D(x) = \frac{1}{NK}\sum_{i,k} p^T_{ik}\,
               \log\frac{p^T_{ik}}{p^S_{ik}}, \qquad
        p = \mathrm{softmax}(\cdot / \tau)

    (the mean over the :math:`N \times K` elements, ``F.kl_div``'s default
    reduction in the official code, i.e. ``KDLoss`` / K; ``KDLoss`` also
    scales by :math:`\tau^2`, which the official code does not: the two
    agree at ZSKT's :math:`\tau = 1`), the losses are

    .. math::
        \mathcal{L}_G &= -D(x) \\
        \mathcal{L}_S &= D(x) + \beta \sum_{j}
            \mathrm{mean}\big((\mathrm{AT}(a^S_j) - \mathrm{AT}(a^T_j))^2
            \big)

    with :math:`a_j` the output of backbone stage :math:`j` (the WRN block
    groups) and :math:`\mathrm{AT}` the normalised spatial attention map
    (:class:`~mmdfkd.losses.AttentionTransferLoss`).

    Official update order, per pseudo-batch (one iteration here): draw one
    batch of codes :math:`z`; one generator step on :math:`\mathcal{L}_G`;
    then ``student_steps`` (:math:`n_S = 10`) student steps, each on
    :math:`G(z)` recomputed from the *same* :math:`z` (no gradient to
    :math:`G`), against the teacher's logits and maps computed once at the
    first student step. The student is frozen in the generator step (the
    official code computes its weight gradients and zeroes them before they
    are used). Gradient-norm clipping at 5 and the cosine schedules are the
    config's ``optim_wrapper.*.clip_grad`` and ``param_scheduler``.

    The train loader yields one code per sample
    (``LatentDataset(codes_per_sample=1)``).

    Args:
        loss_kd (dict): The KL at temperature :math:`\tau` (``KDLoss``);
            divided by K it is :math:`D`, which the student minimises and
            the generator maximises.
        loss_at (dict, optional): ``AttentionTransferLoss`` with
            ``loss_weight`` :math:`\beta` (250 in ZSKT). None: logits only
            (the student may then be a plain classifier). Defaults to None.
        at_stages (Sequence[int], optional): Backbone stages paired by the
            AT term. They must give feature maps ``(N, C, H, W)`` of the
            same spatial size in teacher and student (checked at build time
            on one generator batch). None: every such stage up to the one
            the head reads (WRN: the three groups; LeNet-5: blocks 0, 1).
            Defaults to None.
        student_steps (int): Student steps per generator step
            (:math:`n_S`). Defaults to 10.
        regenerate (bool): Recompute :math:`G(z)` at every student step, as
            the official loader does. False computes it once after the
            generator step: the same images (:math:`G` is fixed and uses
            batch statistics), so the same updates of every weight, at a
            fraction of the cost; only the generator's BN running
            statistics, which training never reads, then see 2 instead of
            :math:`1 + n_S` batches per iteration. Defaults to True.
        **kwargs: Arguments of :class:`BaseDFKD`; with ``loss_at`` the
            student is a :class:`~mmdfkd.models.FeatureMapClassifier`.
    """

    def __init__(self,
                 loss_kd: dict,
                 loss_at: Optional[dict] = None,
                 at_stages: Optional[Sequence[int]] = None,
                 student_steps: int = 10,
                 regenerate: bool = True,
                 **kwargs):
        super().__init__(**kwargs)
        if student_steps < 1:
            raise DFKDInputError(
                f'ZSKT student_steps={student_steps}: the student needs at '
                'least one step per pseudo-batch. Fix: model.student_steps=N '
                'with N >= 1 (ZSKT: 10).')
        self.loss_kd = MODELS.build(loss_kd)
        self.loss_at = None if loss_at is None else MODELS.build(loss_at)
        self.student_steps = student_steps
        self.regenerate = regenerate
        self.at_stages = self._pair_stages(at_stages) if loss_at else ()

    # ----------------------------------------------------------------------
    # Build-time checks: which stages the AT term pairs

    def _pair_stages(self, at_stages: Optional[Sequence[int]]
                     ) -> Tuple[int, ...]:
        """The AT stages, checked against the networks (or derived from
        them), requested from teacher and student."""
        return pair_stages(self.teacher, self.student, self.probe_images(),
                           at_stages, 'ZSKT attention transfer', 'at_stages',
                           'loss_at')

    # ----------------------------------------------------------------------
    # Training: Algorithm 1

    def divergence(self, logits_S: torch.Tensor,
                   logits_T: torch.Tensor) -> torch.Tensor:
        """:math:`D`: the KL of ``loss_kd`` averaged over the K classes as
        well as the batch (the official ``F.kl_div`` default)."""
        return self.loss_kd(logits_S, logits_T) / logits_T.size(1)

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        z = self.latent_codes(data)                         # (N, latent_dim)
        # 1. One generator step: images where S and T disagree.
        log_G = self.train_generator(z, optim_wrapper['generator'])
        # 2. n_S student steps on the same pseudo-batch, G(z) recomputed
        #    each time (regenerate); T and G are fixed, so T's targets are
        #    computed once.
        for step in range(self.student_steps):
            with torch.no_grad():
                if step == 0 or self.regenerate:
                    images = self.generator(z)              # (N, C, H, W)
                if step == 0:
                    feats_T, logits_T = stage_outputs(
                        self.teacher, images, self.at_stages)   # (N, K)
            log_S = self.train_student(images, feats_T, logits_T,
                                       optim_wrapper['student'])
        return {**add_prefix(log_G, 'gen'), **add_prefix(log_S, 'stu')}

    def train_generator(self, z: torch.Tensor,
                        wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        r""":math:`\mathcal{L}_G = -D`; the student is frozen."""
        with wrapper.optim_context(self.generator):
            images = self.generator(z)                      # (N, C, H, W)
            logits_T = self.teacher(images)                 # (N, K)
            with frozen(self.student):
                logits_S = self.student(images)             # (N, K)
            losses = dict(loss_adv=-self.divergence(logits_S, logits_T))
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        return log_vars

    def train_student(self, images: torch.Tensor, feats_T: list,
                      logits_T: torch.Tensor,
                      wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        r""":math:`\mathcal{L}_S`: the teacher's beliefs and attention maps
        on a fixed pseudo-batch."""
        with wrapper.optim_context(self.student):
            if self.at_stages:
                feats_S, logits_S = self.student(images, mode='stages')
            else:
                logits_S = self.student(images)             # (N, K)
            losses = dict(loss_kd=self.divergence(logits_S, logits_T))
            if self.at_stages:
                losses['loss_at'] = sum(
                    self.loss_at(s, t) for s, t in zip(feats_S, feats_T))
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        return log_vars
