from contextlib import nullcontext
from typing import Dict, Optional, Sequence

import torch
from mmengine.dist import get_rank
from mmengine.optim import AmpOptimWrapper, OptimWrapperDict

from mmdfkd.models import (FeatureMapClassifier, StageAdapters, request_stages,
                           stage_outputs)
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
                 **kwargs):
        super().__init__(**kwargs)
        if not hasattr(self.generator, 'num_classes'):
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
        self.generator_steps = generator_steps
        self.student_steps = student_steps
        # read once: under DDP self.generator becomes a wrapper
        self.num_classes = self.generator.num_classes
        self.conditional = self.generator.conditional
        self.feature_stages = tuple(feature_stages) if loss_feat else ()
        if self.loss_feat is not None:
            self._request_feature_stages()
        if feature_adapters and self.loss_feat is not None:
            self.adapters = self._build_adapters()

    def _request_feature_stages(self) -> None:
        if not isinstance(self.student, FeatureMapClassifier):
            raise DFKDInputError(
                'CGDD with a feature loss runs the student with '
                "mode='stages'; got a student of type "
                f'{type(self.student).__name__}. Fix: build the student as '
                "type='mmdfkd.FeatureMapClassifier' (an mmpretrain "
                'ImageClassifier with that extra mode; same weights), or set '
                'loss_feat=None.')
        request_stages(self.teacher, self.feature_stages, 'teacher')
        self.student.set_stages(self.feature_stages)

    @torch.no_grad()
    def _build_adapters(self) -> StageAdapters:
        """One 1x1 convolution per stage, student -> teacher channels,
        sized from one probe batch of the generator (nothing is updated)."""
        z = torch.zeros(2, self.generator.latent_dim)
        labels = torch.zeros(2, dtype=torch.long)
        with sampling_mode(self.generator, False), \
                sampling_mode(self.student, False):
            images = self.generator(z, labels)
            feats_T, _ = stage_outputs(self.teacher, images,
                                       self.feature_stages)
            feats_S, _ = self.student(images, mode='stages')
        return StageAdapters([f.size(1) for f in feats_S],
                             [f.size(1) for f in feats_T])

    @staticmethod
    def _check_adapter_optimizer(optim_wrapper: OptimWrapperDict) -> None:
        if 'adapters' not in optim_wrapper.keys():
            raise DFKDInputError(
                'feature_adapters=True needs an optimizer for them. Fix: add '
                "optim_wrapper.adapters=dict(optimizer=...) (e.g. the "
                "student's).")
        if isinstance(optim_wrapper['adapters'], AmpOptimWrapper):
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
        balanced (the global RNG is in the same state on every rank)."""
        if self.loss_div is not None:
            half = self._balanced_labels(num // 2, device)
            return torch.cat([half, half])
        return self._balanced_labels(num, device)

    def _balanced_labels(self, num: int,
                         device: torch.device) -> torch.Tensor:
        offset = int(torch.randint(self.num_classes, ())) + get_rank() * num
        return (torch.arange(num, device=device) + offset) % self.num_classes

    def train_step(self, data: dict,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        z = self.data_preprocessor(data, True)['inputs']   # (N, g+s, latent)
        steps = self.generator_steps + self.student_steps
        if z.dim() != 3 or z.size(1) != steps:
            raise DFKDInputError(
                f'CGDD needs {steps} latent codes per sample '
                '(generator_steps + student_steps), got inputs of shape '
                f'{tuple(z.shape)}. Fix: train_dataloader.dataset.'
                f'codes_per_sample = {steps}.')
        if self.loss_div is not None and z.size(0) % 2:
            raise DFKDInputError(
                f'the diversity term compares two half-batches, so the batch '
                f'size must be even (got {z.size(0)}). Fix: an even '
                'train_dataloader.batch_size.')
        if hasattr(self, 'adapters'):
            self._check_adapter_optimizer(optim_wrapper)
        num = z.size(0)
        log_G, log_S = {}, {}

        # 1. Generator steps: teacher CE against the preset labels, BN prior,
        #    diversity, and maximise the student-teacher discrepancy.
        for step in range(self.generator_steps):
            with optim_wrapper['generator'].optim_context(self.generator):
                labels = self.preset_labels(num, z.device)  # (N, )
                images = self.generator(z[:, step], labels)  # (N, C, H, W)
                with (BNStatsRecorder(self.teacher) if self.loss_bn
                      else nullcontext()) as rec:
                    logits_T = self.teacher(images)          # (N, K)
                if not self.conditional:  # ablation: no label
                    labels = logits_T.argmax(1).detach()
                losses_G = dict(
                    loss_label=self.loss_label(logits_T, labels),
                    agreement=(logits_T.argmax(1) == labels).float().mean())
                if self.loss_bn is not None:
                    losses_G['loss_bn'] = self.loss_bn(
                        rec.means, rec.vars, rec.running_means,
                        rec.running_vars)
                if self.loss_div is not None:
                    losses_G['loss_div'] = self.loss_div(images, logits_T)
                if self.loss_adv is not None:
                    with frozen(self.student):
                        logits_S = self.student(images)      # (N, K)
                    losses_G['loss_adv'] = -self.loss_adv(logits_S, logits_T)
            loss_G, log_G = self.parse_losses(losses_G)
            optim_wrapper['generator'].update_params(loss_G)

        # 2. Student steps: the teacher's logits and feature maps on fresh
        #    images of the (fixed) generator.
        for step in range(self.generator_steps, steps):
            with optim_wrapper['student'].optim_context(self.student):
                with torch.no_grad():
                    labels = self.preset_labels(num, z.device)
                    images = self.generator(z[:, step], labels)
                    feats_T, logits_T = stage_outputs(
                        self.teacher, images, self.feature_stages)
                if self.loss_feat is None:
                    logits_S = self.student(images)          # (N, K)
                else:
                    feats_S, logits_S = self.student(images, mode='stages')
                losses_S = dict(loss_kd=self.loss_kd(logits_S, logits_T))
                if self.loss_feat is not None:
                    if hasattr(self, 'adapters'):
                        feats_S = self.adapters(feats_S)
                    losses_S['loss_feat'] = sum(
                        self.loss_feat(s, t) for s, t in zip(feats_S, feats_T))
            loss_S, log_S = self.parse_losses(losses_S)
            optim_wrapper['student'].update_params(loss_S)
            if hasattr(self, 'adapters'):  # trained with the student
                optim_wrapper['adapters'].step()
                optim_wrapper['adapters'].zero_grad()
        return {**add_prefix(log_G, 'gen'), **add_prefix(log_S, 'stu')}
