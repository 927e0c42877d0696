"""The top layer: what tools/*.py and user scripts call."""
from .setup_env import register_all_modules

__all__ = ['register_all_modules']
