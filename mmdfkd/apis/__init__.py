"""The top layer: what tools/*.py and user scripts call.

The entry points are submodules, imported on demand (each pulls in the
runner): :mod:`~mmdfkd.apis.train`, :mod:`~mmdfkd.apis.test`,
:mod:`~mmdfkd.apis.generate` and :mod:`~mmdfkd.apis.extract_weights`, each
with a ``main(argv=None) -> int`` behind :func:`cli_main`.
"""
from .cli import cli_main
from .setup_env import register_all_modules

__all__ = ['cli_main', 'register_all_modules']
