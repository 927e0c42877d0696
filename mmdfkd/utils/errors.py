"""The one exception type for bad user input, and its one-line message."""
from typing import Optional

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
    elif isinstance(exc, RuntimeError) and str(exc).startswith(
            'Cannot find') and 'dataset' in str(exc):
        # mmpretrain: "Cannot find CIFAR10 dataset in data/cifar10, you can
        # specify `download=True` to download automatically."
        msg = (f'{str(exc).splitlines()[0]} Fix: put the data under that '
               'data_root, or allow the download where a network exists '
               '(--cfg-options val_dataloader.dataset.download=True).')
    else:
        return None
    return ' '.join(msg.split())
