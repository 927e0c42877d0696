"""The one error policy of every command-line entry point."""
import functools
import sys
from typing import Callable

from mmdfkd.utils import user_error_message


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
