"""Leaf helpers: nothing here imports any other part of mmdfkd."""
from .bn_stats_recorder import BNStatsRecorder
from .errors import (CONVERT_HINT, DFKDInputError, clean_text,
                     user_error_message)
from .files import atomic_replace, atomic_write
from .misc import (add_prefix, frozen, sampling_mode,
                   without_file_client_deprecations)
from .torch_files import NeedsUnpickling, read_weights

__all__ = [
    'BNStatsRecorder', 'CONVERT_HINT', 'DFKDInputError', 'NeedsUnpickling',
    'add_prefix', 'atomic_replace', 'atomic_write', 'clean_text', 'frozen',
    'read_weights', 'sampling_mode', 'user_error_message',
    'without_file_client_deprecations'
]
