from .checkpoint import is_trusted, load_from_local, trusted_checkpoints
from .dfkd_runner import DFKDRunner, build_runner
from .loops import DFKDIterBasedTrainLoop

__all__ = [
    'DFKDIterBasedTrainLoop',
    'DFKDRunner', 'build_runner', 'is_trusted', 'load_from_local',
    'trusted_checkpoints'
]
