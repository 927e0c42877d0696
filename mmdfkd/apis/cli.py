"""The one error policy of every command-line entry point."""
import functools
import os
import os.path as osp
import sys
from typing import Callable

from mmdfkd.utils import DFKDInputError, clean_text, user_error_message


def cli_main(main: Callable[..., int]) -> Callable[..., int]:
    """Decorate a tool's ``main``: a user error becomes one line, a bug keeps
    its traceback.

    An exception that :func:`mmdfkd.utils.user_error_message` recognises
    (:class:`mmdfkd.utils.DFKDInputError`, a missing file, a missing data
    set) is printed as ``mmdfkd error: <message>`` on stderr and ``main``
    returns 1. Any other exception is re-raised unchanged.

    Example:
        >>> @cli_main
        ... def main(argv=None) -> int:
        ...     raise DFKDInputError('no config. Fix: give one.')
        >>> main()  # prints "mmdfkd error: no config. Fix: give one."
        1

    Args:
        main (Callable[..., int]): The entry point; returns the exit status.

    Returns:
        Callable[..., int]: ``main`` with the error policy applied.
    """

    @functools.wraps(main)
    def wrapped(*args, **kwargs) -> int:
        try:
            return main(*args, **kwargs)
        except Exception as e:
            message = user_error_message(e)
            if message is None:
                raise
            print(f'mmdfkd error: {message}', file=sys.stderr)
            return 1

    return wrapped


def load_config(path: str):
    """``Config.fromfile`` with one line for a missing file, a syntax error
    or an inheritance / evaluation error in the config (or its bases)."""
    from mmengine.config import Config
    from mmengine.config.utils import ConfigParsingError
    if not osp.isfile(path):
        raise DFKDInputError(
            f'config file not found: {path}. Fix: give a path under '
            'configs/, e.g. configs/dafl/'
            'dafl_lenet5_lenet5-half_1xb128-2k_digits.py.')
    try:
        return Config.fromfile(path)
    except SyntaxError as e:
        # mmengine: "There are syntax errors in config file F: <error>"
        text = clean_text(e)
        raise DFKDInputError(
            f'config {path} cannot be parsed: {text}. Fix: correct the file '
            '(python -m py_compile FILE shows the line).') from e
    except (ConfigParsingError, NameError, KeyError, AttributeError,
            TypeError, ImportError) as e:
        raise DFKDInputError(
            f'config {path} cannot be loaded ({type(e).__name__}: '
            f'{clean_text(e)}). Fix: check its _base_ files and the names '
            'it reads from them.') from e


def check_launcher(launcher: str) -> None:
    """One line when ``--launcher`` names a launcher that did not start
    this process (torchrun / Slurm / MPI set these variables)."""
    need = dict(pytorch=('RANK', 'WORLD_SIZE', 'MASTER_ADDR'),
                slurm=('SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_NODELIST'),
                mpi=('OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_SIZE'))
    missing = [v for v in need.get(launcher, ()) if v not in os.environ]
    if missing:
        how = dict(
            pytorch='start it with tools/dist_train.sh CONFIG GPUS (or '
            'torchrun), or drop --launcher',
            slurm='submit it with srun / sbatch (tools/slurm_train.sh), or '
            'drop --launcher',
            mpi='start it with mpirun, or drop --launcher')[launcher]
        raise DFKDInputError(
            f'--launcher {launcher}, but this process was not started by '
            f'it ({", ".join(missing)} not set). Fix: {how}.')
