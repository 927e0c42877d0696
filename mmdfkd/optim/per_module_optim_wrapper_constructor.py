"""One optimizer wrapper per submodule, keyed by the submodule's name."""
import copy
import inspect
from typing import Dict, List

import torch.nn as nn
from mmengine.config import ConfigDict
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict

from mmdfkd.registry import OPTIM_WRAPPER_CONSTRUCTORS, OPTIMIZERS
from mmdfkd.utils import DFKDInputError

#: Keys of ``optim_wrapper`` that are not submodule names.
RESERVED_KEYS = ('constructor', 'defaults')


def _fused_supported(params: List[nn.Parameter]) -> bool:
    """Whether torch has fused optimizer kernels for the parameters'
    devices (CPU needs torch >= 2.4) and dtypes."""
    try:
        from torch.utils._foreach_utils import \
            _get_fused_kernels_supported_devices
        devices = _get_fused_kernels_supported_devices()
    except ImportError:  # torch < 2.1
        devices = ['cuda']
    return bool(params) and all(
        p.device.type in devices and p.is_floating_point() for p in params)


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class PerModuleOptimWrapperConstructor:
    """Build an :class:`OptimWrapperDict` whose keys are submodule names.

    Every key of ``optim_wrapper`` other than ``constructor`` and
    ``defaults`` names an attribute of the algorithm (``generator``,
    ``student``, ...) and holds a normal optimizer-wrapper config for that
    submodule's parameters, so attribute = optimizer key = scheduler key.
    ``defaults`` is deep-merged under every entry (the entry wins, nested
    ``optimizer`` keys merge), so one line sets the precision or the
    optimizer implementation of every wrapper::

        optim_wrapper = dict(
            constructor='PerModuleOptimWrapperConstructor',
            defaults=dict(type='AutocastOptimWrapper', dtype='auto',
                          optimizer=dict(fused=True)),
            generator=dict(optimizer=dict(type='Adam', lr=1e-3)),
            student=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)))

    An entry with ``_delete_=True`` ignores ``defaults``. The optimizer
    implementation flags ``fused`` and ``foreach``, when they come from
    ``defaults`` (not from the entry), apply only where torch supports
    them: an optimizer class without the argument ignores them, and
    ``fused`` is dropped (with one log line) where torch has no fused
    kernel for the parameters' device (CPU before torch 2.4) or dtype.

    Args:
        optim_wrapper_cfg (dict): ``{submodule name: optim wrapper cfg}``,
            and optionally ``defaults`` (dict).
        paramwise_cfg (dict, optional): Must be None; give ``paramwise_cfg``
            inside each submodule's config instead. Defaults to None.
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg=None):
        if paramwise_cfg is not None:
            raise DFKDInputError(
                'paramwise_cfg belongs inside each submodule entry of '
                'optim_wrapper (e.g. optim_wrapper.student.paramwise_cfg).')
        self.optim_wrapper_cfg = optim_wrapper_cfg

    @staticmethod
    def merged_entries(optim_wrapper_cfg: dict) -> Dict[str, dict]:
        """Every submodule entry with ``defaults`` merged under it.

        Args:
            optim_wrapper_cfg (dict): The ``optim_wrapper`` config (with or
                without ``constructor``).

        Returns:
            dict: ``{submodule name: optim wrapper cfg}``, without the
            reserved keys; entries are plain dicts (copies).
        """
        defaults = optim_wrapper_cfg.get('defaults', None)
        if defaults is None:
            defaults = {}
        if not isinstance(defaults, dict):
            raise DFKDInputError(
                'optim_wrapper.defaults must be a dict of optim-wrapper '
                f'settings shared by every submodule, got {defaults!r}. Fix: '
                "e.g. defaults=dict(type='AutocastOptimWrapper', "
                "dtype='auto'), or defaults=None for none.")
        entries = {}
        for name, cfg in optim_wrapper_cfg.items():
            if name in RESERVED_KEYS:
                continue
            if not isinstance(cfg, dict):
                raise DFKDInputError(
                    f'optim_wrapper.{name} must be a dict (an optim-wrapper '
                    f'config of the submodule {name!r}), got {cfg!r}.')
            cfg = dict(cfg)
            if cfg.pop('_delete_', False):
                entries[name] = copy.deepcopy(cfg)
            else:  # mmengine's config merge: nested dicts merge, cfg wins
                merged = ConfigDict(copy.deepcopy(dict(defaults)))
                merged.merge(cfg)
                entries[name] = merged.to_dict()
        return entries

    @staticmethod
    def _apply_impl_defaults(name: str, cfg: dict, own: dict,
                             module: nn.Module) -> None:
        """Drop ``fused`` / ``foreach`` given by ``defaults`` where the
        optimizer has no such argument or no fused kernel for ``module``."""
        optim_cfg = cfg.get('optimizer')
        if not isinstance(optim_cfg, dict):
            return
        own_optim = own.get('optimizer') or {}
        optim_type = optim_cfg.get('type')
        cls = OPTIMIZERS.get(optim_type) if isinstance(optim_type,
                                                       str) else optim_type
        if not inspect.isclass(cls):
            return
        args = inspect.signature(cls).parameters
        for flag in ('fused', 'foreach'):
            if flag not in optim_cfg or flag in own_optim:
                continue
            if flag not in args:
                del optim_cfg[flag]
            elif flag == 'fused' and optim_cfg[flag]:
                params = [p for p in module.parameters() if p.requires_grad]
                if not _fused_supported(params):
                    del optim_cfg[flag]
                    print_log(
                        f'optim_wrapper.{name}: no fused {cls.__name__} for '
                        'these parameters here; optim_wrapper.defaults.'
                        'optimizer.fused is ignored for them.',
                        logger='current')

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        if is_model_wrapper(model):
            model = model.module
        wrappers = {}
        has_defaults = bool(self.optim_wrapper_cfg.get('defaults'))
        for name, cfg in self.merged_entries(self.optim_wrapper_cfg).items():
            module = getattr(model, name, None)
            if not isinstance(module, nn.Module):
                raise DFKDInputError(
                    f'optim_wrapper has an entry {name!r} but the algorithm '
                    f'{type(model).__name__} has no submodule of that name. '
                    'Fix: key optim_wrapper by submodule names '
                    f'({", ".join(n for n, _ in model.named_children())}); '
                    'shared settings go under optim_wrapper.defaults.')
            if has_defaults:
                self._apply_impl_defaults(name, cfg,
                                          self.optim_wrapper_cfg[name],
                                          module)
            cfg.setdefault('type', 'OptimWrapper')
            paramwise = cfg.pop('paramwise_cfg', None)
            try:
                wrappers[name] = DefaultOptimWrapperConstructor(
                    cfg, paramwise)(module)
            except TypeError as e:
                if not has_defaults or 'unexpected keyword' not in str(e):
                    raise
                raise DFKDInputError(
                    f'optim_wrapper.{name}: {e} (the entry is '
                    'optim_wrapper.defaults merged with its own keys). '
                    'Fix: set those keys in the entry, or give it '
                    '_delete_=True to ignore the defaults.') from e
        return OptimWrapperDict(**wrappers)
