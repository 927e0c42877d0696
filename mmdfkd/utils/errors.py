"""The one exception type for bad user input, and its one-line message."""
import re
import urllib.error
from typing import Optional

_ANSI = re.compile(r'\x1b\[[0-9;]*[A-Za-z]')


def clean_text(text, one_line: bool = True) -> str:
    """``text`` (or an exception's message) without terminal colour codes;
    with ``one_line`` its first non-empty line only, whitespace collapsed."""
    text = _ANSI.sub('', str(text))
    if not one_line:
        return text
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return ' '.join(lines[0].split()) if lines else ''


#: How to turn a trusted full checkpoint into weights a teacher can load.
CONVERT_HINT = ('If you trust the file (e.g. a checkpoint written by your own '
                'mmengine/mmpretrain run), convert it to a plain state dict '
                'with `python tools/model_converters/extract_weights.py '
                '{path} OUT.pth` and point `checkpoint` at OUT.pth.')


class DFKDInputError(Exception):
    """Bad user input: a missing or mismatched checkpoint, an unknown model
    name, missing data, a broken teacher, non-finite losses.

    The message names the problem and the fix. ``tools/train.py`` and
    ``tools/test.py`` print it as one line and exit with status 1 instead of a
    traceback.
    """


def user_error_message(exc: BaseException) -> Optional[str]:
    """The one-line message for an error caused by the user's input.

    Besides :class:`DFKDInputError`, this covers what mmengine and mmpretrain
    raise for bad input: a missing file (``--resume missing.pth``) and a
    dataset missing from its ``data_root`` with downloading disabled.

    Returns:
        str | None: The message, or None for errors that are bugs (those keep
        their traceback).
    """
    if isinstance(exc, DFKDInputError):
        msg = str(exc)
    elif isinstance(exc, FileNotFoundError):
        msg = (f'file not found: {exc.filename or exc}. Fix: check the path '
               '(for --resume, give a checkpoint of this run, or --resume '
               'alone for the latest one in work_dir).')
    elif isinstance(exc, (PermissionError, NotADirectoryError,
                          IsADirectoryError, FileExistsError)):
        msg = (f'cannot use {exc.filename or "a path"}: {exc.strerror}. '
               'Fix: choose a path you can write, whose parents are '
               'directories (e.g. --work-dir work_dirs/NAME).')
    elif isinstance(exc, KeyError) and _REGISTRY_MISS.search(
            str(exc.args[0] if exc.args else '')):
        name, registry = _REGISTRY_MISS.search(str(exc.args[0])).groups()
        msg = (f'unknown type {name!r}: no such class in the {registry} '
               'registry. Fix: check its spelling and scope (mmpretrain '
               "classes are written 'mmpretrain.X', mmengine's need no "
               'prefix).')
        if registry.endswith('model'):
            msg = msg[:-1] + (
                '; list the model names with python -c "from mmdfkd.apis '
                'import register_all_modules as r; r(); from '
                'mmdfkd.registry import MODELS; '
                'print(sorted(MODELS.module_dict))".')
    elif isinstance(exc, urllib.error.URLError):
        url = getattr(exc, 'url', None) or getattr(exc, 'filename', None)
        msg = (f'download failed{f" ({url})" if url else ""}: '
               f'{getattr(exc, "reason", exc)}. Fix: download it where a '
               'network exists and put it under the data_root (or the torch '
               'hub cache for weights), then set download=False.')
    elif isinstance(exc, RuntimeError) and str(exc).startswith(
            'Cannot find') and 'dataset' in str(exc):
        # mmpretrain: "Cannot find CIFAR10 dataset in data/cifar10, you can
        # specify `download=True` to download automatically."
        msg = (f'{str(exc).splitlines()[0]} Fix: put the data under that '
               'data_root, or allow the download where a network exists '
               '(--cfg-options val_dataloader.dataset.download=True).')
    else:
        return None
    return ' '.join(clean_text(msg, one_line=False).split())


# mmengine: "Foo is not in the mmdfkd::model registry. Please check ..."
_REGISTRY_MISS = re.compile(r"([\w.:]+) is not in the ([\w: ]+?) registry")
