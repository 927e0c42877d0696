"""Registries of mmdfkd (scope ``mmdfkd``).

Every registry is a child of mmengine's root registry, exactly as mmpretrain's
are, so mmdfkd and mmpretrain are siblings. Inside an mmdfkd config, classes
of mmpretrain are written with their scope (``type='mmpretrain.Accuracy'``;
mmengine imports ``mmpretrain.registry`` on demand), and an mmpretrain model
is declared with ``_scope_='mmpretrain'`` so that its nested parts resolve
there. ``locations`` makes every registry import the modules that fill it
lazily, so a config only needs ``default_scope = 'mmdfkd'`` (and mmengine never
falls back to a ``register_all_modules``; that function lives in
:mod:`mmdfkd.apis`, the top layer, for scripts that want everything).
"""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import Registry
from mmengine.registry import \
    WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS

# Runners, loops and model wrappers: mmengine's, plus DFKDRunner and
# DFKDIterBasedTrainLoop (mmdfkd.engine).
RUNNERS = Registry(
    'runner', parent=MMENGINE_RUNNERS, locations=['mmdfkd.engine'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, locations=['mmdfkd.engine'])
MODEL_WRAPPERS = Registry(
    'model_wrapper', parent=MMENGINE_MODEL_WRAPPERS,
    locations=['mmdfkd.engine'])

# Algorithms, image sources, losses and the networks mmpretrain lacks.
MODELS = Registry(
    'model',
    parent=MMENGINE_MODELS,
    locations=[
        'mmdfkd.algorithms', 'mmdfkd.generators', 'mmdfkd.losses',
        'mmdfkd.models', 'mmdfkd.synthesizers'
    ])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, locations=['mmdfkd.hooks'])
DATASETS = Registry(
    'dataset', parent=MMENGINE_DATASETS, locations=['mmdfkd.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMENGINE_DATA_SAMPLERS,
    locations=['mmdfkd.datasets'])
TRANSFORMS = Registry(
    'transform', parent=MMENGINE_TRANSFORMS,
    locations=['mmdfkd.datasets', 'mmdfkd.synthesizers'])
METRICS = Registry(
    'metric', parent=MMENGINE_METRICS, locations=['mmdfkd.evaluation'])
OPTIMIZERS = Registry(
    'optimizer', parent=MMENGINE_OPTIMIZERS, locations=['mmdfkd.optim'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS,
    locations=['mmdfkd.optim'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['mmdfkd.optim'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler', parent=MMENGINE_PARAM_SCHEDULERS,
    locations=['mmdfkd.optim'])
VISUALIZERS = Registry(
    'visualizer', parent=MMENGINE_VISUALIZERS, locations=['mmdfkd.hooks'])
VISBACKENDS = Registry(
    'vis_backend', parent=MMENGINE_VISBACKENDS, locations=['mmdfkd.hooks'])
EVALUATOR = Registry(
    'evaluator', parent=MMENGINE_EVALUATOR, locations=['mmdfkd.evaluation'])
FUNCTIONS = Registry(
    'function', parent=MMENGINE_FUNCTIONS, locations=['mmdfkd.datasets'])
LOG_PROCESSORS = Registry(
    'log_processor', parent=MMENGINE_LOG_PROCESSORS,
    locations=['mmdfkd.engine'])
WEIGHT_INITIALIZERS = Registry(
    'weight initializer', parent=MMENGINE_WEIGHT_INITIALIZERS,
    locations=['mmdfkd.models'])

__all__ = [
    'RUNNERS', 'LOOPS', 'MODEL_WRAPPERS', 'MODELS', 'HOOKS', 'DATASETS',
    'DATA_SAMPLERS', 'TRANSFORMS', 'METRICS', 'OPTIMIZERS', 'OPTIM_WRAPPERS',
    'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS', 'VISUALIZERS',
    'VISBACKENDS', 'EVALUATOR', 'FUNCTIONS', 'LOG_PROCESSORS',
    'WEIGHT_INITIALIZERS'
]
