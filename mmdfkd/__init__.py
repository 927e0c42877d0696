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


def _mmdfkd_installed_path(get_installed_path):
    """mmengine 0.10 finds a package's `.mim` next to its dist-info, which
    an editable install (`pip install -e`) leaves without the package: for
    mmdfkd, answer with the folder this module was imported from (the
    checkout, or site-packages for a regular install)."""

    def installed_path(package: str) -> str:
        if package == 'mmdfkd':
            import os.path as osp
            return osp.dirname(osp.abspath(__file__))
        return get_installed_path(package)

    installed_path.__wrapped__ = get_installed_path
    return installed_path


def _patch_installed_path() -> None:
    # mmengine.config is imported already; mmengine.hub (which imports
    # torch and the runner) takes the name from mmengine.utils when it is
    # first imported, so patching that is enough unless it is loaded now
    import sys

    import mmengine.config.config as config_module
    import mmengine.utils as utils_module
    for module in (config_module, utils_module,
                   sys.modules.get('mmengine.hub.hub')):
        if module is None:
            continue
        original = module.get_installed_path
        if not hasattr(original, '__wrapped__'):
            module.get_installed_path = _mmdfkd_installed_path(original)


_patch_installed_path()

__all__ = ['__version__']
