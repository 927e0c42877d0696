"""The base of every data-free KD algorithm."""
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel, is_model_wrapper

from mmdfkd.models import build_teacher
from mmdfkd.registry import MODELS
from mmdfkd.utils import BNStatsRecorder, DFKDInputError, sampling_mode


@MODELS.register_module()
class BaseDFKD(BaseModel):
    """Owns the frozen teacher(s), the student and the image source.

    A subclass implements ``train_step(data, optim_wrapper)`` as the paper's
    Algorithm 1: ``data`` holds latent codes (:class:`LatentDataset`), and
    ``optim_wrapper`` is an ``OptimWrapperDict`` keyed by submodule name
    (``generator``, ``student``). Validation and testing run the student on
    real images (``mode='predict'``), scored by mmpretrain's ``Accuracy``.

    Teachers are built by :func:`mmdfkd.models.build_teacher`: strictly loaded
    with ``weights_only=True``, frozen, and kept in eval mode by
    :meth:`train`, so their BN statistics never change.

    Args:
        student (dict, optional): Student config, e.g. an
            ``mmpretrain.ImageClassifier``. None for a run that trains only
            the generator (RDSKD's stage 2); it has no student to validate.
        generator (dict, optional): A persistent generator
            (:class:`~mmdfkd.generators.BaseGenerator`), trained by
            ``optim_wrapper['generator']``; for methods whose
            ``image_sources`` name it.
        synthesizer (dict, optional): A round-based synthesizer
            (:class:`~mmdfkd.synthesizers.RoundSynthesizer`) with its own
            inner optimizers; for methods whose ``image_sources`` name it.
        image_pool (dict, optional): An
            :class:`~mmdfkd.synthesizers.ImagePool` the student learns
            from; for methods whose ``image_sources`` name it.
        teacher (dict, optional): One teacher, ``dict(model=..., checkpoint=
            ...)``; becomes ``self.teacher``.
        teachers (dict, optional): Several teachers ``{name: dict(model=...,
            checkpoint=...)}``; becomes ``self.teachers`` (an
            ``nn.ModuleDict``). Give exactly one of ``teacher``/``teachers``.
        data_preprocessor (dict, optional): Defaults to
            ``DFKDDataPreprocessor`` without normalisation.
        channels_last (bool): Convert the generator, the student and the
            teachers to the ``torch.channels_last`` memory format (faster
            convolutions with oneDNN on CPU and cuDNN on GPU; weights and
            checkpoints are unchanged). Defaults to True.
        compile (bool | dict): ``torch.compile`` the generator, the student
            and each teacher in place (:meth:`compile_networks`), so their
            ``state_dict`` keys are unchanged; a dict gives the
            ``torch.compile`` arguments, e.g. ``dict(mode='max-autotune')``.
            It costs compilation time at the first iterations and needs a
            C++ compiler on CPU. Defaults to False.
        init_cfg (dict, optional): Defaults to None.
    """

    #: Whether the method distils from several teachers (``teachers``).
    multi_teacher: bool = False
    #: The image sources the method is built with: ``('generator', )`` (a
    #: persistent generator trained next to the student) or, for methods
    #: that learn from a pool, ``('synthesizer', 'image_pool')``.
    image_sources: Tuple[str, ...] = ('generator', )

    def __init__(self,
                 student: Optional[dict] = None,
                 generator: Optional[dict] = None,
                 synthesizer: Optional[dict] = None,
                 image_pool: Optional[dict] = None,
                 teacher: Optional[dict] = None,
                 teachers: Optional[Dict[str, dict]] = None,
                 data_preprocessor: Optional[dict] = None,
                 channels_last: bool = True,
                 compile: Union[bool, dict] = False,
                 init_cfg: Optional[dict] = None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='DFKDDataPreprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if (teacher is None) == (teachers is None):
            raise DFKDInputError(
                'give exactly one of `teacher` (one) or `teachers` (a dict '
                'of several) to the algorithm.')
        if teachers is not None and not self.multi_teacher:
            raise DFKDInputError(
                f'{type(self).__name__} distils from one teacher: give '
                '`teacher=dict(model=..., checkpoint=...)`, not `teachers`.')
        self._check_image_sources(
            dict(generator=generator, synthesizer=synthesizer,
                 image_pool=image_pool))
        if teacher is not None:
            self.teacher = build_teacher(teacher)
        else:
            self.teachers = nn.ModuleDict(
                {name: build_teacher(cfg)
                 for name, cfg in teachers.items()})
        self.student = None if student is None else MODELS.build(student)
        for name, cfg in (('generator', generator),
                          ('synthesizer', synthesizer),
                          ('image_pool', image_pool)):
            if cfg is not None:
                setattr(self, name, MODELS.build(cfg))
        # After the teachers' weights are loaded; loading later (resume,
        # a subclass's frozen weights) keeps the format: copy_ writes into
        # the existing channels-last parameters.
        if channels_last:
            for net in self.networks().values():
                net.to(memory_format=torch.channels_last)
        if compile:
            self.compile_networks(compile if isinstance(compile, dict) else
                                  {})

    def _check_image_sources(self, given: Dict[str, Optional[dict]]) -> None:
        """The config gives exactly the image sources the method states."""
        name = type(self).__name__
        for key, cfg in given.items():
            if key in self.image_sources and cfg is None:
                raise DFKDInputError(
                    f'{name} needs `{key}` (its image sources are '
                    f'{self.image_sources}). Fix: add model.{key}=dict('
                    'type=...) to the config.')
            if key not in self.image_sources and cfg is not None:
                raise DFKDInputError(
                    f'{name} takes no `{key}` (its image sources are '
                    f'{self.image_sources}). Fix: remove model.{key}.')

    @property
    def image_source(self) -> nn.Module:
        """The module that makes the student's images (the synthesizer, or
        else the generator), unwrapped from DDP: what hooks and tools call
        ``sample`` on (:class:`~mmdfkd.synthesizers.BaseSynthesizer`)."""
        source = getattr(self, 'synthesizer', None)
        if source is None:
            source = self.generator
        return source.module if is_model_wrapper(source) else source

    def networks(self) -> Dict[str, nn.Module]:
        """The generator or synthesizer, the student (if any) and every
        teacher, by name (``teacher`` or ``teachers.<name>``)."""
        nets = {name: getattr(self, name)
                for name in ('generator', 'synthesizer')
                if name in self.image_sources}
        if self.student is not None:
            nets['student'] = self.student
        if hasattr(self, 'teachers'):
            nets.update({f'teachers.{name}': teacher
                         for name, teacher in self.teachers.items()})
        else:
            nets['teacher'] = self.teacher
        return nets

    def latent_codes(self, data: dict,
                     steps: Optional[int] = None) -> torch.Tensor:
        """The batch's latent codes: (N, latent_dim) for a method that makes
        one update per batch (``steps=None``), (N, steps, latent_dim) for one
        that makes ``steps`` updates, one batch of codes each (from
        ``LatentDataset(codes_per_sample=steps)``)."""
        z = self.data_preprocessor(data, True)['inputs']
        if steps is None:
            shape_ok = z.dim() == 2
        else:
            shape_ok = z.dim() == 3 and z.size(1) == steps
        if not shape_ok:
            raise DFKDInputError(
                f'{type(self).__name__} needs {steps or 1} latent code(s) per'
                f' sample (one per update), got inputs of shape '
                f'{tuple(z.shape)}. Fix: train_dataloader.dataset.'
                f'codes_per_sample = {steps or 1}.')
        return z

    def compile_networks(self, compile_kwargs: dict) -> None:
        """``torch.compile`` every network in place (``nn.Module.compile``:
        the module is not wrapped, so ``state_dict`` keys are unchanged).

        A classifier's ``backbone``, ``neck`` and ``head`` are compiled
        separately, since algorithms also call ``extract_feat`` and
        ``head`` directly, which would bypass a compiled ``forward``; other
        networks (generators) are compiled whole.

        Args:
            compile_kwargs (dict): Arguments of ``torch.compile``.
        """
        for net in self.networks().values():
            parts = [
                getattr(net, name) for name in ('backbone', 'neck', 'head')
                if isinstance(getattr(net, name, None), nn.Module)
            ]
            for part in parts or [net]:
                part.compile(**compile_kwargs)

    @torch.no_grad()
    def probe_images(self, num: int = 2) -> torch.Tensor:
        """``num`` images of the generator from zero codes (class 0 for a
        conditional one), in eval mode: a build-time probe of the networks'
        shapes that updates nothing and draws no random number."""
        z = torch.zeros(num, self.generator.latent_dim)
        inputs = (z, torch.zeros(num, dtype=torch.long)) if getattr(
            self.generator, 'conditional', False) else (z, )
        with sampling_mode(self.generator, False):
            return self.generator(*inputs)

    def check_bn_teachers(self, optional: bool = False) -> None:
        """Refuse a BN-statistics loss on a teacher without 2d BatchNorm
        layers (it would be a silent 0: no statistics to match); called at
        build time by the methods that have such a loss (``optional``: the
        method also runs without it, ``loss_bn=None``)."""
        no_bn = [name for name, t in self.frozen_teachers().items()
                 if not BNStatsRecorder(t).layers]
        if no_bn:
            raise DFKDInputError(
                f'{type(self).__name__}: ' + (
                    'the teacher has' if no_bn == ['teacher'] else
                    f'teacher(s) {", ".join(no_bn)} have') +
                ' no BatchNorm2d layer with running statistics, so '
                'loss_bn (BN statistics) has no target. Fix: a teacher with '
                'BatchNorm (e.g. LeNet-5-BN, a ResNet)' +
                (', or model.loss_bn=None.' if optional else '.'))

    def frozen_teachers(self) -> Dict[str, nn.Module]:
        """``{name: teacher}``; the single teacher is named ``teacher``."""
        if hasattr(self, 'teachers'):
            return dict(self.teachers.items())
        return dict(teacher=self.teacher)

    def train(self, mode: bool = True) -> 'BaseDFKD':
        super().train(mode)
        for teacher in self.frozen_teachers().values():
            teacher.eval()  # teacher BN statistics are never updated
        return self

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[list] = None,
                mode: str = 'tensor') -> Union[torch.Tensor, List]:
        """Run the student: ``'tensor'`` gives logits, ``'predict'`` data
        samples for mmpretrain's metrics. Training is ``train_step``."""
        if mode == 'loss':
            raise NotImplementedError(
                f'{type(self).__name__} trains in train_step; mode="loss" '
                'has no meaning for a data-free algorithm.')
        if self.student is None:
            raise DFKDInputError(
                f'{type(self).__name__} has no student to run (it trains the '
                'generator only). Fix: validate or test the student of the '
                'distillation stage instead.')
        return self.student(inputs, data_samples, mode=mode)

    @torch.no_grad()
    def teacher_logits(self, inputs: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Logits (N, K) of every teacher on normalised images."""
        return {name: teacher(inputs)
                for name, teacher in self.frozen_teachers().items()}
