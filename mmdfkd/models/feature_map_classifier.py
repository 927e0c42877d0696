"""Backbone stage outputs and logits of an mmpretrain classifier in one pass.

Feature-map distillation needs the intermediate stages of the teacher and of
the student. They come from mmpretrain's own mechanism: the backbone's
``out_indices`` says which stages it returns and ``extract_feat(inputs,
stage='backbone')`` returns them; the head sees only the last one, as in
mmpretrain's classifiers, so the logits are those of a plain forward.
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.models import ImageClassifier

from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError


def _staged_backbone(classifier: nn.Module, what: str) -> nn.Module:
    """The classifier's backbone, which must have ``out_indices``."""
    backbone = getattr(classifier, 'backbone', None)
    if backbone is None or not hasattr(backbone, 'out_indices'):
        raise DFKDInputError(
            f'the {what} ({type(classifier).__name__}) has no backbone with '
            '`out_indices`, so its feature maps cannot be taken. Fix: use an '
            'mmpretrain ImageClassifier whose backbone supports out_indices '
            '(ResNet, ResNet_CIFAR, WideResNet, DAFLLeNet5, ...) or set the '
            'feature loss to None.')
    return backbone


def request_stages(classifier: nn.Module, stages: Sequence[int],
                   what: str = 'classifier') -> None:
    """Make ``classifier.backbone`` also return the outputs of ``stages``.

    The backbone's ``out_indices`` becomes its old value plus ``stages``; the
    last index is unchanged, so the head (which reads the last output) and
    every prediction stay the same.

    Args:
        classifier (nn.Module): An mmpretrain ``ImageClassifier``.
        stages (Sequence[int]): Backbone stage indices, e.g. ``(1, 2)``.
        what (str): The model's role, for error messages.
            Defaults to 'classifier'.

    Raises:
        DFKDInputError: The backbone has no ``out_indices``, or a requested
            stage comes after the one the head reads.
    """
    backbone = _staged_backbone(classifier, what)
    current = tuple(backbone.out_indices)
    last = current[-1]
    if any(s >= last for s in stages):
        raise DFKDInputError(
            f'feature stages {tuple(stages)} of the {what} must come before '
            f'the stage its head reads ({last}). Fix: choose earlier stages.')
    backbone.out_indices = tuple(sorted(set(current) | set(stages)))


@torch.no_grad()
def stage_shapes(classifier: nn.Module, images: torch.Tensor,
                 what: str = 'classifier') -> List[torch.Size]:
    """The output shape of every backbone stage up to the one the head
    reads, from one probe batch ``images`` (eval mode; nothing is updated,
    ``out_indices`` is restored).

    Raises:
        DFKDInputError: The backbone has no ``out_indices``.
    """
    backbone = _staged_backbone(classifier, what)
    kept, was_training = tuple(backbone.out_indices), classifier.training
    backbone.out_indices = tuple(range(kept[-1] + 1))
    classifier.eval()
    try:
        outs = backbone(images)
    finally:
        backbone.out_indices = kept
        classifier.train(was_training)
    return [out.shape for out in outs]


def matching_stages(shapes_T: Sequence[torch.Size],
                    shapes_S: Sequence[torch.Size]) -> Tuple[int, ...]:
    """Stages whose outputs are (N, C, H, W) maps of the same spatial size
    in teacher and student (what a spatial feature loss can pair), from the
    lists of :func:`stage_shapes`."""
    return tuple(
        s for s in range(min(len(shapes_T), len(shapes_S)))
        if len(shapes_T[s]) == len(shapes_S[s]) == 4
        and shapes_T[s][2:] == shapes_S[s][2:])


def stage_outputs(classifier: nn.Module, inputs: torch.Tensor,
                  stages: Sequence[int]
                  ) -> Tuple[List[torch.Tensor], torch.Tensor]:
    """The outputs of ``stages`` and the logits, from one backbone pass.

    Args:
        classifier (nn.Module): An mmpretrain ``ImageClassifier`` prepared
            with :func:`request_stages`.
        inputs (Tensor): Normalised images (N, C, H, W).
        stages (Sequence[int]): Backbone stage indices; empty: the plain
            forward, for a classifier that cannot return stages.

    Returns:
        tuple: The stage outputs (a list, in the order of ``stages``) and
        the logits (N, K).
    """
    if not stages:  # no stage asked for: a plain forward (any classifier)
        return [], classifier(inputs)
    outs = classifier.extract_feat(inputs, stage='backbone')
    index = {s: i for i, s in enumerate(classifier.backbone.out_indices)}
    feats = [outs[index[s]] for s in stages]
    last = outs[-1:]                                   # what the head reads
    if classifier.with_neck:
        last = classifier.neck(last)
    return feats, classifier.head(last)


@MODELS.register_module()
class FeatureMapClassifier(ImageClassifier):
    """An mmpretrain ``ImageClassifier`` whose forward can also return
    backbone stage outputs.

    Its weights, predictions and exported state dict are those of
    ``ImageClassifier``; it adds ``mode='stages'``, which returns
    ``(stage outputs, logits)`` (see :func:`stage_outputs`). Feature-map
    distillation runs the student through this mode so the call goes through
    ``forward`` and thus through the DDP wrapper, whose gradient
    synchronisation a direct ``student.module.extract_feat`` call would skip.

    Args:
        stages (Sequence[int]): Backbone stages returned by
            ``mode='stages'``; added to the backbone's ``out_indices``.
            Defaults to ``()``.
        **kwargs: Arguments of mmpretrain's ``ImageClassifier``.
    """

    def __init__(self, stages: Sequence[int] = (), **kwargs):
        super().__init__(**kwargs)
        self.set_stages(stages)

    def set_stages(self, stages: Sequence[int]) -> None:
        """Return ``stages`` from ``mode='stages'`` (and add them to the
        backbone's ``out_indices``)."""
        self.stages = tuple(stages)
        request_stages(self, self.stages, 'student')

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[list] = None,
                mode: str = 'tensor') -> Union[tuple, torch.Tensor, list]:
        """``mode='stages'`` gives ``(list of stage outputs, logits)``;
        other modes are those of ``ImageClassifier``."""
        if mode == 'stages':
            return stage_outputs(self, inputs, self.stages)
        return super().forward(inputs, data_samples, mode)


def pair_stages(teacher: nn.Module, student: nn.Module,
                images: torch.Tensor, stages: Optional[Sequence[int]],
                term: str, option: str, loss: str) -> Tuple[int, ...]:
    """The stages a spatial feature term pairs, checked at build time and
    returned by both networks from then on.

    ``stages`` must name stages whose maps have the same spatial size in
    teacher and student on ``images`` (None: every such stage); they are
    then requested from the teacher (:func:`request_stages`) and set on the
    student, which returns them from ``mode='stages'``.

    Args:
        teacher (nn.Module): An mmpretrain ``ImageClassifier``.
        student (nn.Module): A :class:`FeatureMapClassifier`.
        images (Tensor): A probe batch (N, C, H, W) of the teacher's input.
        stages (Sequence[int], optional): The config's stages, or None.
        term (str): The term, for messages, e.g. ``'ZSKT attention
            transfer'``.
        option (str): The config key of ``stages``, e.g. ``'at_stages'``.
        loss (str): The config key that removes the term, e.g.
            ``'loss_at'``.

    Returns:
        tuple: The stages.

    Raises:
        DFKDInputError: The student is no ``FeatureMapClassifier``, or the
            stages do not match in size (the message lists those that do).
    """
    if not isinstance(student, FeatureMapClassifier):
        raise DFKDInputError(
            f"{term} runs the student with mode='stages'; got a student of "
            f'type {type(student).__name__}. Fix: build the student as '
            f"type='mmdfkd.FeatureMapClassifier' (or set model.{loss}=None).")
    valid = matching_stages(stage_shapes(teacher, images, 'teacher'),
                            stage_shapes(student, images, 'student'))
    chosen = valid if stages is None else tuple(stages)
    if not chosen or not set(chosen) <= set(valid):
        given = None if stages is None else tuple(stages)
        fix = (f'model.{option}={valid} (or model.{loss}=None)'
               if valid else f'model.{loss}=None')
        raise DFKDInputError(
            f'{term}: {option}={given}, but the term pairs stages whose '
            'outputs are (N, C, H, W) maps of the same size in teacher and '
            f'student; these networks have {valid or "none"}. Fix: {fix}.')
    use_stages(teacher, student, chosen)
    return chosen


def use_stages(teacher: nn.Module, student: nn.Module,
               stages: Sequence[int]) -> None:
    """Make the teacher's backbone and the student's ``mode='stages'``
    return ``stages`` (any of them may be the stage the head reads, which
    every backbone pass returns anyway)."""
    last_T = _staged_backbone(teacher, 'teacher').out_indices[-1]
    last_S = _staged_backbone(student, 'student').out_indices[-1]
    request_stages(teacher, [s for s in stages if s < last_T], 'teacher')
    student.set_stages([s for s in stages if s < last_S])
    student.stages = tuple(stages)
