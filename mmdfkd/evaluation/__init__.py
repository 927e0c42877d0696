from .header_accuracy import HeaderAccuracy

__all__ = ['HeaderAccuracy']
