"""Read weight files with one classification of what can go wrong."""
import os.path as osp
import pickle
from typing import Any

import torch

from .errors import DFKDInputError, clean_text

#: What a torch file that torch cannot open looks like (empty, truncated,
#: another format): the exceptions and, for RuntimeError, its wording.
_UNREADABLE = (EOFError, KeyError, ValueError, UnicodeDecodeError,
               pickle.UnpicklingError)
#: How torch's weights-only unpickler words a pickle that asks for globals
#: (junk bytes fail with 'Unsupported operand' in the same message).
_NEEDS_GLOBALS = ('Unsupported global', 'unrecognized function')
_UNREADABLE_RUNTIME = ('PytorchStreamReader', 'zip archive', 'magic number',
                       'wrong size', 'unexpected EOF')


class NeedsUnpickling(DFKDInputError):
    """``torch.load(weights_only=True)`` refused the file: it holds objects
    other than tensors, containers and numbers (``reason`` names one)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f'{path} needs full unpickling ({reason})')
        self.path, self.reason = path, reason


def _weights_only_reason(text: str) -> str:
    lines = [ln.strip() for ln in clean_text(text, one_line=False)
             .splitlines() if 'WeightsUnpickler error' in ln]
    reason = lines[0] if lines else clean_text(text)
    return reason.split(' Please use')[0].replace('WeightsUnpickler error: ',
                                                  '')


def read_weights(path: str, weights_only: bool = True,
                 map_location: Any = 'cpu', what: str = 'checkpoint') -> Any:
    """Load a local ``.pth`` (``torch.load``) or ``.safetensors`` file.

    Args:
        path (str): The file (must exist).
        weights_only (bool): ``torch.load``'s flag. Defaults to True.
        map_location: Where tensors go. Defaults to 'cpu'.
        what (str): What the file is for, to word the errors.

    Raises:
        NeedsUnpickling: ``weights_only`` and the file holds other objects.
        DFKDInputError: The file is empty, truncated or not a torch /
            safetensors file.
    """
    if path.endswith('.safetensors'):
        try:
            from safetensors import SafetensorError
            from safetensors.torch import load_file
        except ImportError as e:
            raise DFKDInputError(
                f'{what} {path} is a .safetensors file, which needs the '
                'safetensors package. Fix: pip install safetensors.') from e
        device = map_location if isinstance(map_location, str) else 'cpu'
        try:
            return load_file(path, device=device)
        except (SafetensorError, OSError, ValueError) as e:
            raise DFKDInputError(
                f'{what} {path} is not a readable safetensors file '
                f'({clean_text(e)}). Fix: point it at a file written by '
                'safetensors.torch.save_file.') from e
    try:
        return torch.load(path, map_location=map_location,
                          weights_only=weights_only)
    except pickle.UnpicklingError as e:
        # a pickle asking for globals beyond tensors and containers (junk
        # bytes fail inside the same 'Weights only load failed' message)
        if weights_only and any(s in str(e) for s in _NEEDS_GLOBALS):
            raise NeedsUnpickling(path, _weights_only_reason(str(e))) from e
        raise _unreadable(path, what, e) from e
    except _UNREADABLE as e:
        raise _unreadable(path, what, e) from e
    except RuntimeError as e:
        if any(s in str(e) for s in _UNREADABLE_RUNTIME):
            raise _unreadable(path, what, e) from e
        raise


def _unreadable(path: str, what: str, e: BaseException) -> DFKDInputError:
    size = osp.getsize(path) if osp.isfile(path) else 0
    state = 'empty' if size == 0 else f'{size} bytes'
    detail = clean_text(e) or 'no data'
    return DFKDInputError(
        f'{what} {path} is not a readable PyTorch or safetensors file '
        f'({state}; {type(e).__name__}: {detail}): empty, truncated (a '
        'copy or download that stopped early) or another format. Fix: '
        'point it at a complete file written by torch.save (.pth) or '
        'safetensors (.safetensors).')
