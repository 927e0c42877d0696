from .dafl_generator import DAFLGenerator
from .dcgan_generator import DCGANGenerator

__all__ = ['DAFLGenerator', 'DCGANGenerator']
