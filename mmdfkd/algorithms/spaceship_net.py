from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper

from mmdfkd.models import (FeatureMapClassifier, matching_stages,
                           pair_stages, stage_outputs, stage_shapes,
                           use_stages)
from mmdfkd.registry import MODELS
from mmdfkd.synthesizers.spaceship import (SpaceshipSynthesizer,
                                           exchange_channels)
from mmdfkd.utils import DFKDInputError
from .pool_kd import PoolKD


@MODELS.register_module()
class SpaceshipNet(PoolKD):
    r"""SpaceshipNet: channel-wise feature exchange (CFE) and a multi-scale
    spatial activation region constraint (mSARC).

    `Data-Free Knowledge Distillation via Feature Exchange and Activation
    Region Constraint
    <https://cvpr.thecvf.com/virtual/2023/poster/21071>`_ (Yu et al.,
    CVPR 2023), faithful to skgyu/SpaceshipNet (commit 30a76b0):
    train/train_cvpr2023.py, models/model_CFE_mSARC_base.py and
    models/model_CFE_mSARC_bases/model_CFE_mSARC_base_V37.py. Every
    ``kd_steps`` iterations a synthesis round
    (:class:`~mmdfkd.synthesizers.SpaceshipSynthesizer`: a persistent
    generator, BN + CE) adds its best batch *and the generator's features*
    at levels 0, 1, 2 to the pool; each iteration is one KD step:

    .. code-block:: none

        l ~ U(levels); f = pool.sample(batch_size)[feat_l]
        with probability exchange_prob: f = CFE(f)   # pairs (i, N-1-i)
        x = normalise(flip(crop4(G_{>l}(f))))        # current G, eval mode
        L_S = KD(S(x), T(x))                         # tau 30, element mean
            + CAM:   MSE(W_S * f^S_last, W_T * f^T_last)      # all classes
            + GCAM:  sum_j MSE(GradCAM_j^S, GradCAM_j^T)      # stages j
        S <- SGD step

    The student never sees the kept images, only images re-rendered from
    their (exchanged) features by the generator as it is now. The Grad-CAM
    maps are those of the class the teacher predicts; the stages ``j`` are
    all stages whose maps have the same spatial size in teacher and student
    (ResNet-34 / ResNet-18: the four residual stages), derived at build
    time. The CAM term needs a linear classifier on globally pooled last
    maps (mmpretrain ``LinearClsHead`` after ``GlobalAveragePooling``).

    Ablations are which losses exist (``loss_cam=None``,
    ``loss_gradcam=None``) and ``exchange_prob=0`` (no CFE).

    Args:
        loss_kd (dict): ``KDLoss(tau=30, loss_weight=1/K)``: the official
            ``nn.KLDivLoss()`` averages over the N*K elements.
        batch_size (int): Student batch per KD step.
        kd_steps (int): KD steps per synthesis round (2000 in the
            official scripts).
        loss_cam (dict, optional): :class:`~mmdfkd.losses.CAMLoss`.
            Defaults to None.
        loss_gradcam (dict, optional): :class:`~mmdfkd.losses.GradCAMLoss`.
            Defaults to None.
        cam_stages (Sequence[int], optional): Backbone stages of the
            Grad-CAM term; None: every stage whose maps match in size.
            Defaults to None.
        exchange_prob (float): Probability that a KD batch is exchanged
            (``gen_mixup_cutmix_p``). Defaults to 0.7.
        **kwargs: :class:`PoolKD` (``teacher``, ``student``,
            ``synthesizer``, ``image_pool``, ``data_preprocessor``, ...).
    """

    def __init__(self,
                 loss_kd: dict,
                 batch_size: int,
                 kd_steps: int,
                 loss_cam: Optional[dict] = None,
                 loss_gradcam: Optional[dict] = None,
                 cam_stages: Optional[Sequence[int]] = None,
                 exchange_prob: float = 0.7,
                 **kwargs):
        super().__init__(loss_kd=loss_kd, batch_size=batch_size,
                         kd_steps=kd_steps, **kwargs)
        syn = self.image_source
        if not isinstance(syn, SpaceshipSynthesizer):
            raise DFKDInputError(
                'SpaceshipNet re-renders pool features with its generator; '
                f'got a {type(syn).__name__}. Fix: '
                "synthesizer=dict(type='SpaceshipSynthesizer', ...).")
        missing = [f'feat{lv}' for lv in syn.levels
                   if f'feat{lv}' not in self.image_pool.keys]
        if missing:
            raise DFKDInputError(
                f'the image pool keeps {self.image_pool.keys}, not the '
                f'generator features {missing}. Fix: image_pool.keys='
                f"{('images', ) + tuple(f'feat{lv}' for lv in syn.levels)}.")
        if not 0.0 <= exchange_prob <= 1.0:
            raise DFKDInputError(
                f'SpaceshipNet exchange_prob={exchange_prob} is not a '
                'probability. Fix: a value in [0, 1] (official: 0.7).')
        self.exchange_prob = exchange_prob
        self.loss_cam = None if loss_cam is None else MODELS.build(loss_cam)
        self.loss_gradcam = None if loss_gradcam is None else \
            MODELS.build(loss_gradcam)
        # The ablations: which losses exist.
        self.student_losses = tuple(
            name for name in ('loss_kd', 'loss_cam', 'loss_gradcam')
            if getattr(self, name) is not None)
        self.cam_stages = self._pair_stages(cam_stages) \
            if self.loss_gradcam is not None else ()
        self.last_stage: Optional[int] = None
        if self.loss_cam is not None:
            self.last_stage = self._check_cam_heads()
        # stages returned by both networks: the Grad-CAM ones and the last
        self.stages = self.cam_stages + tuple(
            s for s in (self.last_stage, )
            if s is not None and s not in self.cam_stages)
        if self.stages:
            use_stages(self.teacher, self.student, self.stages)

    # ----------------------------------------------------------------------
    # Build-time checks: which stages mSARC pairs

    def _probe(self) -> Tuple[list, list]:
        syn = self.image_source
        images = torch.zeros(2, *syn.image_size)
        if not isinstance(self.student, FeatureMapClassifier):
            raise DFKDInputError(
                "SpaceshipNet's activation-region terms run the student with "
                "mode='stages'; got a student of type "
                f'{type(self.student).__name__}. Fix: build the student as '
                "type='mmdfkd.FeatureMapClassifier' (or set model.loss_cam="
                'None and model.loss_gradcam=None).')
        return (stage_shapes(self.teacher, images, 'teacher'),
                stage_shapes(self.student, images, 'student'))

    def _pair_stages(self, cam_stages: Optional[Sequence[int]]
                     ) -> Tuple[int, ...]:
        return pair_stages(self.teacher, self.student,
                           torch.zeros(2, *self.image_source.image_size),
                           cam_stages, 'SpaceshipNet Grad-CAM', 'cam_stages',
                           'loss_gradcam')

    def _check_cam_heads(self) -> int:
        """The CAM term: both heads a linear classifier on globally pooled
        last maps of the same size; returns the last stage's index."""
        shapes_T, shapes_S = self._probe()
        last = len(shapes_T) - 1
        ok = (len(shapes_T) == len(shapes_S)
              and last in matching_stages(shapes_T, shapes_S))
        for net in (self.teacher, self.student):
            neck = getattr(net, 'neck', None)
            ok = ok and isinstance(getattr(net.head, 'fc', None), nn.Linear) \
                and type(neck).__name__ == 'GlobalAveragePooling'
        if not ok:
            raise DFKDInputError(
                'SpaceshipNet loss_cam: class activation maps need a linear '
                'classifier (LinearClsHead) on globally pooled last maps of '
                'the same spatial size in teacher and student; got heads '
                f'{type(self.teacher.head).__name__} / '
                f'{type(self.student.head).__name__} on last stages '
                f'{tuple(shapes_T[-1][1:])} / {tuple(shapes_S[-1][1:])}. '
                'Fix: model.loss_cam=None (Grad-CAM term only).')
        return last

    # ----------------------------------------------------------------------
    # Training: Algorithm 1 (PoolKD's loop; the student step below)

    def student_images(self, batch: Dict[str, torch.Tensor]) -> torch.Tensor:
        """CFE: the features of a random level, exchanged within the batch
        with probability ``exchange_prob``, re-rendered by the current
        generator, cropped and flipped, normalised."""
        syn = self.image_source
        with torch.no_grad():
            level = syn.draw_level()
            feats = batch[f'feat{level}']                    # (N, C_l, h, w)
            if float(torch.rand((), generator=syn.rng)) < self.exchange_prob:
                feats = exchange_channels(feats, syn.rng)
            return syn.normalize(syn.augment(syn.render(feats, level)))

    def train_student(self, batch: Dict[str, torch.Tensor],
                      wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        r""":math:`\mathcal{L}_S` = KD + CAM + Grad-CAM on CFE images."""
        images = self.student_images(batch)                  # (N, C, H, W)
        with wrapper.optim_context(self.student):
            # the teacher's graph is kept for its Grad-CAM gradients
            with torch.set_grad_enabled(self.loss_gradcam is not None):
                view = images.detach().requires_grad_(
                    self.loss_gradcam is not None)
                feats_T, logits_T = stage_outputs(self.teacher, view,
                                                  self.stages)
            if self.stages:
                feats_S, logits_S = self.student(images, mode='stages')
            else:
                feats_S, logits_S = [], self.student(images)
            n = len(self.cam_stages)    # the Grad-CAM stages come first
            last = self.stages.index(self.last_stage) if \
                self.last_stage is not None else None
            terms = dict(
                loss_kd=lambda: self.loss_kd(logits_S, logits_T.detach()),
                loss_cam=lambda: self.loss_cam(
                    feats_S[last], self._fc_weight(self.student),
                    feats_T[last].detach(), self._fc_weight(self.teacher)),
                loss_gradcam=lambda: self.loss_gradcam(
                    logits_S, feats_S[:n], logits_T, feats_T[:n]))
            losses = {name: terms[name]() for name in self.student_losses}
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        return log_vars

    @staticmethod
    def _fc_weight(net: nn.Module) -> torch.Tensor:
        """The classifier's weight (K, C), read only (a constant of the
        CAM term)."""
        net = net.module if is_model_wrapper(net) else net
        return net.head.fc.weight.detach()
