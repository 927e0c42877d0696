"""Image sources: what makes the images a student learns from.

:class:`BaseSynthesizer` is the contract (``sample``, ``num_classes``,
``conditional``, ``state_dict``); persistent generators
(:class:`mmdfkd.generators.BaseGenerator`) and round-based synthesizers
(:class:`RoundSynthesizer`) honour it, and :class:`ImagePool` keeps what
round-based methods synthesise.
"""
from .augment import BatchRandomCrop, BatchRandomFlip, BatchRandomResizedCrop
from .base_synthesizer import BaseSynthesizer, RoundSynthesizer
from .cmi import CMISynthesizer
from .deep_inversion import DeepInversionSynthesizer
from .fast import FastSynthesizer
from .image_pool import ImagePool
from .inversion import InversionSynthesizer
from .nayer import NAYERSynthesizer, NoisyLayerGenerator
from .spaceship import SpaceshipSynthesizer

__all__ = [
    'BaseSynthesizer', 'BatchRandomCrop', 'BatchRandomFlip',
    'BatchRandomResizedCrop', 'CMISynthesizer',
    'DeepInversionSynthesizer', 'FastSynthesizer', 'ImagePool',
    'InversionSynthesizer', 'NAYERSynthesizer', 'NoisyLayerGenerator',
    'RoundSynthesizer', 'SpaceshipSynthesizer'
]
