from .attention_aggregation import AttentionAggregation
from .base_dfkd import BaseDFKD
from .cdfkd_mfs import CDFKDMFS
from .cgdd import CGDD
from .dafl import DAFL
from .dfad import DFAD
from .dfq import DFQ
from .dfkd_data_preprocessor import DFKDDataPreprocessor
from .frozen_generator_kd import FrozenGeneratorKD
from .pool_kd import PoolKD
from .rdskd import RDSKD
from .spaceship_net import SpaceshipNet
from .zskt import ZSKT

__all__ = [
    'AttentionAggregation', 'BaseDFKD', 'CDFKDMFS', 'CGDD', 'DAFL', 'DFAD',
    'DFKDDataPreprocessor', 'DFQ', 'FrozenGeneratorKD', 'PoolKD', 'RDSKD',
    'SpaceshipNet', 'ZSKT'
]
