"""Local checkpoint loading under torch's ``weights_only`` default.

torch >= 2.6 loads with ``weights_only=True``, which rejects the run
checkpoints mmengine writes (their ``message_hub`` holds ``HistoryBuffer``
objects and numpy arrays), so resume and ``load_from`` fail. Allow-listing
those globals needs ``builtins.getattr``, which defeats the point. mmdfkd
therefore keeps ``weights_only=True`` for every local file and unpickles in
full only inside :func:`trusted_checkpoints`, which :class:`DFKDRunner` enters
for ``resume`` and ``tools/test.py`` for the checkpoint it is asked to score
(both files written by the user's own runs). ``load_from`` and pretrained
weights stay ``weights_only``. Teachers never go through here (see
:func:`mmdfkd.utils.load_state_dict_safely`).
"""
import os.path as osp
import threading
from contextlib import contextmanager

from mmengine.runner.checkpoint import CheckpointLoader

from mmdfkd.utils import (CONVERT_HINT, DFKDInputError, NeedsUnpickling,
                          read_weights)

_state = threading.local()


@contextmanager
def trusted_checkpoints():
    """Allow full unpickling of local checkpoints inside this block."""
    previous = getattr(_state, 'trusted', False)
    _state.trusted = True
    try:
        yield
    finally:
        _state.trusted = previous


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_from_local(filename: str, map_location=None):
    """mmengine's local scheme, with full unpickling only when trusted."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    trusted = getattr(_state, 'trusted', False)
    try:
        return read_weights(filename, weights_only=not trusted,
                            map_location=map_location, what='checkpoint')
    except NeedsUnpickling as e:
        raise DFKDInputError(
            f'refusing to unpickle {filename}: it holds more than weights '
            f'({e.reason}), and unpickling can run code from a file. Fix: '
            'to continue a run use --resume; tools/test.py and '
            'tools/generate.py trust the checkpoints of the run\'s own '
            'work_dir, or any file with --trust-checkpoint (only for files '
            'you trust). ' + CONVERT_HINT.format(path=filename)) from e


def is_trusted(checkpoint: str, work_dir: str, trust_flag: bool) -> bool:
    """Whether a tool may unpickle ``checkpoint`` in full: the user said so
    (``--trust-checkpoint``), or the file lies inside the run's own
    ``work_dir`` (written by the user's runs)."""
    if trust_flag:
        return True
    path, root = osp.realpath(checkpoint), osp.realpath(work_dir)
    return osp.commonpath([path, root]) == root
