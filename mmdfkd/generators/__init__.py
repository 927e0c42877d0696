from .base_generator import BaseGenerator
from .conditional_batch_norm import ConditionalBatchNorm2d
from .conditional_dafl_generator import ConditionalDAFLGenerator
from .conditional_dcgan_generator import ConditionalDCGANGenerator
from .dafl_generator import DAFLGenerator
from .dcgan_generator import DCGANGenerator
from .inversion_generator import InversionGenerator
from .normalized_generator import NormalizedGenerator
from .zskt_generator import ZSKTGenerator

__all__ = [
    'BaseGenerator', 'ConditionalBatchNorm2d', 'ConditionalDAFLGenerator',
    'ConditionalDCGANGenerator', 'DAFLGenerator', 'DCGANGenerator',
    'InversionGenerator', 'NormalizedGenerator', 'ZSKTGenerator'
]
