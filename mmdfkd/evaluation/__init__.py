from .header_accuracy import HeaderAccuracy
from .sample_diversity import sample_diversity

__all__ = ['HeaderAccuracy', 'sample_diversity']
