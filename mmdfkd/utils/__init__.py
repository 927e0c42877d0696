from .errors import DFKDInputError
from .misc import add_prefix, frozen
from .run_logs import last_metric, train_subprocess
from .setup_env import register_all_modules
from .teacher import build_teacher, load_state_dict_safely

__all__ = [
    'DFKDInputError', 'add_prefix', 'build_teacher', 'frozen',
    'last_metric', 'load_state_dict_safely', 'register_all_modules',
    'train_subprocess'
]
