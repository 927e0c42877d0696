from .autocast_optim_wrapper import AutocastOptimWrapper
from .per_module_optim_wrapper_constructor import \
    PerModuleOptimWrapperConstructor

__all__ = ['AutocastOptimWrapper', 'PerModuleOptimWrapperConstructor']
