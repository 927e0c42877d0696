from .bn_stats_recorder import BNStatsRecorder
from .errors import DFKDInputError, user_error_message
from .misc import add_prefix, frozen, sampling_mode
from .setup_env import register_all_modules
from .teacher import build_teacher, load_frozen, load_state_dict_safely

__all__ = [
    'BNStatsRecorder', 'DFKDInputError', 'add_prefix', 'build_teacher',
    'frozen', 'load_frozen', 'load_state_dict_safely', 'register_all_modules',
    'sampling_mode', 'user_error_message'
]
