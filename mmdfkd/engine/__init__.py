from .checkpoint import load_from_local, trusted_checkpoints
from .dfkd_runner import DFKDRunner, build_runner

__all__ = [
    'DFKDRunner', 'build_runner', 'load_from_local', 'trusted_checkpoints'
]
