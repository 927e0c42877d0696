from .base_dfkd import BaseDFKD
from .dafl import DAFL
from .dfad import DFAD
from .dfkd_data_preprocessor import DFKDDataPreprocessor
from .frozen_generator_kd import FrozenGeneratorKD
from .rdskd import RDSKD

__all__ = [
    'BaseDFKD', 'DAFL', 'DFAD', 'DFKDDataPreprocessor', 'FrozenGeneratorKD',
    'RDSKD'
]
