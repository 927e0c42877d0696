"""Leaf helpers: nothing here imports any other part of mmdfkd."""
from .bn_stats_recorder import BNStatsRecorder
from .errors import CONVERT_HINT, DFKDInputError, user_error_message
from .files import atomic_replace, atomic_write
from .misc import add_prefix, frozen, sampling_mode

__all__ = [
    'BNStatsRecorder', 'CONVERT_HINT', 'DFKDInputError', 'add_prefix',
    'atomic_replace', 'atomic_write', 'frozen', 'sampling_mode',
    'user_error_message'
]
