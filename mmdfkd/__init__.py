"""mmdfkd: data-free knowledge distillation as MMEngine plugins."""
import importlib.util

from mmengine.config.utils import MODULE2PACKAGE

from .version import __version__

if importlib.util.find_spec('mmcv') is None:
    raise ImportError(
        'mmdfkd needs mmcv (through mmpretrain), which is not installed. '
        'Fix: pip install "mmcv-lite>=2.0.0,<2.4.0" (the same package '
        'without compiled ops), or a full mmcv; tools/install.sh picks one.')

# Let `_base_ = 'mmdfkd::dafl/...'` resolve in other projects' configs (the
# configs ship inside the package under mmdfkd/.mim/configs, as mmpretrain's
# do). mmengine only knows a fixed list of packages, so importing mmdfkd adds
# itself to that list.
MODULE2PACKAGE.setdefault('mmdfkd', 'mmdfkd')

__all__ = ['__version__']
