from .base_dfkd import BaseDFKD
from .dafl import DAFL
from .dfad import DFAD
from .dfkd_data_preprocessor import DFKDDataPreprocessor

__all__ = ['BaseDFKD', 'DAFL', 'DFAD', 'DFKDDataPreprocessor']
