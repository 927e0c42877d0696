"""One optimizer wrapper per submodule, keyed by the submodule's name."""
import copy

import torch.nn as nn
from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict

from mmdfkd.registry import OPTIM_WRAPPER_CONSTRUCTORS
from mmdfkd.utils import DFKDInputError


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class PerModuleOptimWrapperConstructor:
    """Build an :class:`OptimWrapperDict` whose keys are submodule names.

    Every key of ``optim_wrapper`` other than ``constructor`` names an
    attribute of the algorithm (``generator``, ``student``, ...) and holds a
    normal optimizer-wrapper config for that submodule's parameters, so
    attribute = optimizer key = scheduler key::

        optim_wrapper = dict(
            constructor='PerModuleOptimWrapperConstructor',
            generator=dict(optimizer=dict(type='Adam', lr=1e-3)),
            student=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)))

    Args:
        optim_wrapper_cfg (dict): ``{submodule name: optim wrapper cfg}``.
        paramwise_cfg (dict, optional): Must be None; give ``paramwise_cfg``
            inside each submodule's config instead. Defaults to None.
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg=None):
        if paramwise_cfg is not None:
            raise DFKDInputError(
                'paramwise_cfg belongs inside each submodule entry of '
                'optim_wrapper (e.g. optim_wrapper.student.paramwise_cfg).')
        self.optim_wrapper_cfg = optim_wrapper_cfg

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        if is_model_wrapper(model):
            model = model.module
        wrappers = {}
        for name, cfg in self.optim_wrapper_cfg.items():
            module = getattr(model, name, None)
            if not isinstance(module, nn.Module):
                raise DFKDInputError(
                    f'optim_wrapper has an entry {name!r} but the algorithm '
                    f'{type(model).__name__} has no submodule of that name. '
                    'Fix: key optim_wrapper by submodule names '
                    f'({", ".join(n for n, _ in model.named_children())}).')
            cfg = copy.deepcopy(dict(cfg))
            cfg.setdefault('type', 'OptimWrapper')
            paramwise = cfg.pop('paramwise_cfg', None)
            wrappers[name] = DefaultOptimWrapperConstructor(
                cfg, paramwise)(module)
        return OptimWrapperDict(**wrappers)
