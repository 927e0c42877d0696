"""mmdfkd: data-free knowledge distillation as MMEngine plugins."""
from mmengine.config.utils import MODULE2PACKAGE

from .version import __version__

# Let `_base_ = 'mmdfkd::dafl/...'` resolve in other projects' configs (the
# configs ship inside the package under mmdfkd/.mim/configs, as mmpretrain's
# do). mmengine only knows a fixed list of packages, so importing mmdfkd adds
# itself to that list.
MODULE2PACKAGE.setdefault('mmdfkd', 'mmdfkd')

__all__ = ['__version__']
