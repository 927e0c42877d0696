"""mmdfkd: data-free knowledge distillation as MMEngine plugins."""
import importlib.util
import warnings

from mmengine.config.utils import MODULE2PACKAGE

from .version import __version__

# Two known warnings, filtered by their exact text, once, before mmpretrain
# imports mmcv (others still show):
# - mmcv-lite has no compiled ops, and mmcv's transformer bricks say so on
#   import; mmdfkd uses none of them.
warnings.filterwarnings(
    'ignore', message=r'Fail to import ``MultiScaleDeformableAttention``',
    category=UserWarning)
# - the pool methods' warm-up rounds step no optimizer by design while
#   mmengine's ParamSchedulerHook steps the schedulers every iteration.
warnings.filterwarnings(
    'ignore',
    message=r'Detected call of `scheduler\.step\(\)` before '
    r'`optimizer\.step\(\)`', category=UserWarning,
    module=r'mmengine\.optim\.scheduler')

# mmcv is not a hard dependency (a full mmcv and mmcv-lite both install the
# `mmcv` package, so depending on mmcv-lite would overwrite a full mmcv's
# compiled ops): a bare `pip install .` leaves it out. Say so in one line,
# before anything imports mmpretrain (whose __init__ imports mmcv).
if importlib.util.find_spec('mmcv') is None:
    raise ImportError(
        'mmdfkd error: mmcv is not installed. Fix: pip install '
        '"mmdfkd[lite]" (mmcv-lite, the mmcv package without compiled ops), '
        'or a full mmcv: mim install mmcv')

# Let `_base_ = 'mmdfkd::dafl/...'` resolve in other projects' configs (the
# configs ship inside the package under mmdfkd/.mim/configs, as mmpretrain's
# do). mmengine only knows a fixed list of packages, so importing mmdfkd adds
# itself to that list.
MODULE2PACKAGE.setdefault('mmdfkd', 'mmdfkd')

__all__ = ['__version__']
