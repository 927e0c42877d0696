from typing import Dict, Optional, Sequence

import torch
from mmengine.dist import get_rank
import torch.nn as nn
from mmengine.optim import AmpOptimWrapper, OptimWrapper, OptimWrapperDict

from mmdfkd.models import (FeatureMapClassifier, StageAdapters,
                           matching_stages, request_stages, stage_outputs,
                           stage_shapes)
from mmdfkd.registry import MODELS
from mmdfkd.utils import (BNStatsRecorder, DFKDInputError, add_prefix, frozen,
                          sampling_mode)
from .base_dfkd import BaseDFKD


@MODELS.register_module()
class CGDD(BaseDFKD):
    r"""CGDD: Conditional Generative Data-free Knowledge Distillation.

    `Yu et al., 2021 <https://arxiv.org/abs/2112.15358>`_. Only the abstract
    is public (no code, no loss formulas), so **this design is ours**, built
    from its four statements and from parts verified in sibling methods; each
    choice is listed in ``configs/cgdd/README.md`` and backed by an ablation
    config.

    1. A conditional generator :math:`G(z, y)`
       (:class:`ConditionalDAFLGenerator`, :class:`ConditionalDCGANGenerator`).
    2. "Preset labels as ground truth": every batch draws class-balanced
       labels :math:`y` (each class equally often, up to one) and trains
       :math:`G` with the teacher's cross-entropy against them, plus the
       teacher's BN-statistics prior (DeepInversion) and a mode-seeking
       diversity term between the two half-batches, which share their labels
       (so the term asks *same class, different images*).
    3. "Knowledge hidden in teacher feature maps": the student matches the
       teacher's logits (KD) and, at ``feature_stages``, its feature maps
       (attention transfer, or FitNet with 1x1 adapters), taken through
       mmpretrain's ``out_indices`` / ``extract_feat``.
    4. "An adversarial framework": the generator also maximises a
       student-teacher discrepancy :math:`D`, which the student minimises.

    With :math:`x = G(z, y)`, each iteration makes ``generator_steps``
    generator updates, then ``student_steps`` student updates:

    .. math::
        \mathcal{L}_G &= \mathrm{CE}(T(x), y) + \lambda_{bn}\mathcal{L}_{BN}
            + \lambda_{div}\mathcal{L}_{ms}(x, T(x))
            - \lambda_{adv} D(S(x), T(x)) \\
        \mathcal{L}_S &= \mathrm{KD}(S(x), T(x)) + \beta \sum_{j}
            \mathcal{L}_{feat}(S_j(x), T_j(x))

    An unconditional generator (``condition='none'``, the ablation) has no
    label to follow; its label loss then takes the teacher's own argmax, as
    DAFL's one-hot loss does.

    The train loader must yield ``generator_steps + student_steps`` codes
    per sample (``LatentDataset(codes_per_sample=...)``): one batch of codes
    per update.

    Args:
        loss_label (dict): :math:`\mathrm{CE}(T(x), y)`, e.g.
            ``dict(type='mmpretrain.CrossEntropyLoss')``.
        loss_kd (dict): The student's logit loss, e.g. ``KDLoss``.
        loss_bn (dict, optional): ``BNStatisticsLoss`` on the teacher
            (:math:`\lambda_{bn}`). Defaults to None (off).
        loss_div (dict, optional): ``ModeSeekingLoss`` between the two
            half-batches (:math:`\lambda_{div}`). Defaults to None (off).
        loss_adv (dict, optional): :math:`D`, maximised by the generator
            with weight :math:`\lambda_{adv}`, e.g. ``LogitL1Loss``.
            Defaults to None (no adversarial term).
        loss_feat (dict, optional): Feature loss of one stage,
            ``AttentionTransferLoss`` or ``FitNetLoss`` (:math:`\beta`).
            Defaults to None (logit KD only).
        feature_stages (Sequence[int]): Backbone stages of teacher and
            student compared by ``loss_feat``; both backbones' ``out_indices``
            are extended to return them. Defaults to ``(1, 2)``.
        feature_adapters (bool): Map each student stage to the teacher's
            channel count with a 1x1 convolution (``self.adapters``, trained
            with the student by the ``adapters`` optimizer), as FitNet needs.
            Defaults to False.
        generator_steps (int): Generator updates per iteration.
            Defaults to 1.
        student_steps (int): Student updates per iteration. Defaults to 5.
        label_seed (int): Seed of the generator of the preset labels'
            offsets, the same on every rank. Defaults to 0.
        **kwargs: Arguments of :class:`BaseDFKD`; the generator must take
            ``(z, labels)`` and have ``num_classes``.
    """

    def __init__(self,
                 loss_label: dict,
                 loss_kd: dict,
                 loss_bn: Optional[dict] = None,
                 loss_div: Optional[dict] = None,
                 loss_adv: Optional[dict] = None,
                 loss_feat: Optional[dict] = None,
                 feature_stages: Sequence[int] = (1, 2),
                 feature_adapters: bool = False,
                 generator_steps: int = 1,
                 student_steps: int = 5,
                 label_seed: int = 0,
                 **kwargs):
        super().__init__(**kwargs)
        if getattr(self.generator, 'num_classes', None) is None:
            raise DFKDInputError(
                f'CGDD needs a conditional generator G(z, y), got '
                f'{type(self.generator).__name__}. Fix: use '
                "ConditionalDAFLGenerator / ConditionalDCGANGenerator (with "
                "condition='none' for an unconditional run).")
        build = (lambda cfg: None if cfg is None else MODELS.build(cfg))
        self.loss_label = MODELS.build(loss_label)
        self.loss_kd = MODELS.build(loss_kd)
        self.loss_bn = build(loss_bn)
        self.loss_div = build(loss_div)
        self.loss_adv = build(loss_adv)
        self.loss_feat = build(loss_feat)
        if self.loss_bn is not None:
            self.check_bn_teachers(optional=True)
        # The ablations: which losses exist.
        self.generator_losses = tuple(
            name for name in ('loss_label', 'loss_bn', 'loss_div', 'loss_adv')
            if getattr(self, name) is not None)
        self.student_losses = ('loss_kd', ) + (
            ('loss_feat', ) if loss_feat is not None else ())
        self.generator_steps = generator_steps
        self.student_steps = student_steps
        # read once: under DDP self.generator becomes a wrapper
        self.num_classes = self.generator.num_classes
        self.conditional = self.generator.conditional
        self.feature_stages = tuple(feature_stages) if loss_feat else ()
        self._request_feature_stages()
        # Label offsets drawn from (label_seed, draw count), the same on
        # every rank whatever its seed (diff_rank_seed), so the ranks'
        # batches together stay balanced; the count is checkpointed.
        self.label_seed = label_seed
        self.register_buffer('label_draws', torch.zeros((),
                                                        dtype=torch.long))
        # Modules trained with the student, each by its own optimizer.
        self.co_trained = ('adapters', ) if (feature_adapters
                                             and loss_feat) else ()
        self.adapters = self._build_adapters() if self.co_trained else \
            nn.Identity()

    def _request_feature_stages(self) -> None:
        if not isinstance(self.student, FeatureMapClassifier):
            raise DFKDInputError(
                "CGDD runs the student with mode='stages' (its feature maps "
                'and logits in one pass); got a student of type '
                f'{type(self.student).__name__}. Fix: build the student as '
                "type='mmdfkd.FeatureMapClassifier' (an mmpretrain "
                'ImageClassifier with that extra mode; same weights).')
        if self.feature_stages:
            self._check_stage_pairs()
            request_stages(self.teacher, self.feature_stages, 'teacher')
        self.student.set_stages(self.feature_stages)

    def _check_stage_pairs(self) -> None:
        """``feature_stages`` must name stages of the same spatial size in
        both networks (found from one probe batch of the generator)."""
        images = self.probe_images()
        shapes_T = stage_shapes(self.teacher, images, 'teacher')
        shapes_S = stage_shapes(self.student, images, 'student')
        valid = tuple(s for s in matching_stages(shapes_T, shapes_S)
                      if s < min(len(shapes_T), len(shapes_S)) - 1)
        if not set(self.feature_stages) <= set(valid):
            pairs = ', '.join(
                f'{s}: teacher {tuple(shapes_T[s][1:])} / student '
                f'{tuple(shapes_S[s][1:])}' for s in self.feature_stages
                if s < min(len(shapes_T), len(shapes_S))) or 'no such stages'
            fix = (f'model.feature_stages={valid}' if valid else
                   'model.loss_feat=None (logit KD only)')
            raise DFKDInputError(
                f'CGDD feature_stages={self.feature_stages}: the feature '
                'loss pairs stages whose maps have the same spatial size in '
                f'teacher and student ({pairs}); these networks pair '
                f'{valid or "none"}. Fix: {fix}.')

    @torch.no_grad()
    def _build_adapters(self) -> StageAdapters:
        """One 1x1 convolution per stage, student -> teacher channels,
        sized from one probe batch of the generator (nothing is updated)."""
        images = self.probe_images()
        with sampling_mode(self.student, False):
            feats_T, _ = stage_outputs(self.teacher, images,
                                       self.feature_stages)
            feats_S, _ = self.student(images, mode='stages')
        return StageAdapters([f.size(1) for f in feats_S],
                             [f.size(1) for f in feats_T])

    def _check_co_trained(self, optim_wrapper: OptimWrapperDict) -> None:
        if not set(self.co_trained) <= set(optim_wrapper.keys()):
            raise DFKDInputError(
                'feature_adapters=True needs an optimizer for them. Fix: add '
                "optim_wrapper.adapters=dict(optimizer=...) (e.g. the "
                "student's).")
        if any(isinstance(optim_wrapper[name], AmpOptimWrapper)
               for name in self.co_trained):
            raise DFKDInputError(
                "the adapters are stepped after the student's backward, which "
                'a float16 loss scaler cannot follow. Fix: bfloat16 '
                '(AutocastOptimWrapper) or float32 for '
                'optim_wrapper.adapters.')

    def preset_labels(self, num: int, device: torch.device) -> torch.Tensor:
        """Class-balanced labels (num, ): every class ``num // K`` or
        ``num // K + 1`` times, the extra ones starting at a random class.
        With a diversity term, the two half-batches get the same labels
        (each half balanced). Rank ``r`` of a distributed run starts ``r *
        num`` classes further on, so the ranks' batches together stay
        balanced (the offsets come from ``label_seed`` and the number of
        draws so far, the same on every rank)."""
        if self.loss_div is not None:
            half = self._balanced_labels(num // 2, device)
            return torch.cat([half, half])
        return self._balanced_labels(num, device)

    def _balanced_labels(self, num: int,
                         device: torch.device) -> torch.Tensor:
        rng = torch.Generator().manual_seed(self.label_seed +
                                            int(self.label_draws))
        self.label_draws += 1
        offset = int(torch.randint(self.num_classes, (), generator=rng)) + \
            get_rank() * num
        return (torch.arange(num, device=device) + offset) % self.num_classes

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        steps = self.generator_steps + self.student_steps
        z = self.latent_codes(data, steps)                 # (N, g+s, latent)
        if self.loss_div is not None and z.size(0) % 2:
            raise DFKDInputError(
                f'the diversity term compares two half-batches, so the batch '
                f'size must be even (got {z.size(0)}). Fix: an even '
                'train_dataloader.batch_size.')
        self._check_co_trained(optim_wrapper)
        log_G, log_S = {}, {}
        for step in range(self.generator_steps):
            log_G = self.train_generator(z[:, step],
                                         optim_wrapper['generator'])
        for step in range(self.generator_steps, steps):
            log_S = self.train_student(z[:, step], optim_wrapper)
        return {**add_prefix(log_G, 'gen'), **add_prefix(log_S, 'stu')}

    def train_generator(self, z: torch.Tensor,
                        wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        r""":math:`\mathcal{L}_G`: teacher CE against the preset labels, BN
        prior, diversity, and the negated student-teacher discrepancy."""
        with wrapper.optim_context(self.generator):
            labels = self.preset_labels(z.size(0), z.device)  # (N, )
            images = self.generator(z, labels)              # (N, C, H, W)
            with BNStatsRecorder(self.teacher,
                                 enabled=self.loss_bn is not None) as rec:
                logits_T = self.teacher(images)             # (N, K)
            # unconditional ablation: no label to follow, the teacher's own
            targets = labels if self.conditional else logits_T.argmax(1)
            terms = dict(
                loss_label=lambda: self.loss_label(logits_T, targets),
                loss_bn=lambda: self.loss_bn(*rec.statistics()),
                loss_div=lambda: self.loss_div(images, logits_T),
                loss_adv=lambda: -self.loss_adv(
                    self.frozen_student(images), logits_T))
            losses = {name: terms[name]() for name in self.generator_losses}
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        log_vars['agreement'] = (logits_T.argmax(1) == targets).float().mean()
        return log_vars

    def train_student(self, z: torch.Tensor, optim_wrapper: OptimWrapperDict
                      ) -> Dict[str, torch.Tensor]:
        r""":math:`\mathcal{L}_S`: the teacher's logits and feature maps on
        fresh images of the (fixed) generator."""
        wrapper = optim_wrapper['student']
        with wrapper.optim_context(self.student):
            with torch.no_grad():
                labels = self.preset_labels(z.size(0), z.device)
                images = self.generator(z, labels)
                feats_T, logits_T = stage_outputs(
                    self.teacher, images, self.feature_stages)
            feats_S, logits_S = self.student(images, mode='stages')
            terms = dict(
                loss_kd=lambda: self.loss_kd(logits_S, logits_T),
                loss_feat=lambda: sum(
                    self.loss_feat(s, t)
                    for s, t in zip(self.adapters(feats_S), feats_T)))
            losses = {name: terms[name]() for name in self.student_losses}
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        for name in self.co_trained:  # their gradients come from this loss
            optim_wrapper[name].step()
            optim_wrapper[name].zero_grad()
        return log_vars

    def frozen_student(self, images: torch.Tensor) -> torch.Tensor:
        """Student logits that pass gradients to the images only."""
        with frozen(self.student):
            return self.student(images)                     # (N, K)
