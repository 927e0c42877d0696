"""Every distillation run ends with a student mmpretrain can load alone."""
import copy
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.dist import master_only
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmdfkd.registry import DATASETS, HOOKS, METRICS, MODELS, TRANSFORMS
from mmdfkd.utils import atomic_write

_REGISTRIES = dict(model=MODELS, dataset=DATASETS, transform=TRANSFORMS,
                   metric=METRICS)


def _scoped(cfg, registry: str):
    """``cfg`` with every bare ``type`` that only mmdfkd registers written
    ``mmdfkd.X``, so it builds under mmpretrain's default scope. A dict with
    its own ``_scope_`` keeps its (nested) names; under ``'mmdfkd'`` they
    are all prefixed instead."""
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(_scoped(c, registry) for c in cfg)
    if not isinstance(cfg, dict):
        return cfg
    scope = cfg.get('_scope_')
    if scope == 'mmdfkd':
        return _scoped_all({k: v for k, v in cfg.items() if k != '_scope_'})
    if scope is not None:
        return cfg
    out = {}
    for key, value in cfg.items():
        if key == 'type' and isinstance(value, str) and '.' not in value \
                and value in _REGISTRIES[registry].module_dict:
            value = f'mmdfkd.{value}'
        elif key == 'pipeline':
            value = _scoped(value, 'transform')
        else:
            value = _scoped(value, registry)
        out[key] = value
    return out


def _scoped_all(cfg):
    """Prefix every bare ``type`` (a config under ``_scope_='mmdfkd'``)."""
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(_scoped_all(c) for c in cfg)
    if not isinstance(cfg, dict):
        return cfg
    return {k: (f'mmdfkd.{v}' if k == 'type' and isinstance(v, str)
                and '.' not in v else _scoped_all(v))
            for k, v in cfg.items()}


def _uses_mmdfkd(cfg) -> bool:
    if isinstance(cfg, (list, tuple)):
        return any(_uses_mmdfkd(c) for c in cfg)
    if isinstance(cfg, dict):
        return any((k == 'type' and isinstance(v, str)
                    and v.startswith('mmdfkd.')) or _uses_mmdfkd(v)
                   for k, v in cfg.items())
    return False


def student_config(cfg: Config, algorithm) -> Config:
    """A plain mmpretrain config of the run's student.

    The model is ``cfg.model.student`` with the ``data_preprocessor`` (mean,
    std) the student was distilled under (the algorithm's); the test data
    and evaluator are the run's validation ones. Types that only mmdfkd
    registers are written ``mmdfkd.X`` and pulled in by ``custom_imports``
    (a LeNet-5 backbone, a multi-header student); a student made of
    mmpretrain types alone needs no mmdfkd.
    """
    model = _scoped(copy.deepcopy(cfg.model.student.to_dict() if hasattr(
        cfg.model.student, 'to_dict') else cfg.model.student), 'model')
    pre = algorithm.data_preprocessor
    norm = dict(type='ClsDataPreprocessor',
                num_classes=getattr(pre, 'num_classes', None))
    if getattr(pre, '_enable_normalize', False):
        norm.update(mean=pre.mean.flatten().tolist(),
                    std=pre.std.flatten().tolist())
    norm.update(to_rgb=getattr(pre, '_channel_conversion', False))
    if norm['num_classes'] is None:
        norm.pop('num_classes')
    if model.get('_scope_') != 'mmpretrain' and _uses_mmdfkd(model):
        norm['type'] = 'mmpretrain.ClsDataPreprocessor'
    model['data_preprocessor'] = norm
    out = dict(default_scope='mmpretrain', model=model)
    for key in ('test_dataloader', 'val_dataloader'):
        loader = cfg.get(key)
        if loader:
            loader = copy.deepcopy(loader.to_dict() if hasattr(
                loader, 'to_dict') else loader)
            out['test_dataloader'] = _scoped(loader, 'dataset')
            break
    for key in ('test_evaluator', 'val_evaluator'):
        if cfg.get(key):
            out['test_evaluator'] = _scoped(copy.deepcopy(cfg.get(key)),
                                            'metric')
            break
    if 'test_dataloader' in out and 'test_evaluator' in out:
        out['test_cfg'] = dict()
    if _uses_mmdfkd(out):
        out['custom_imports'] = dict(
            imports=['mmdfkd.models', 'mmdfkd.datasets'],
            allow_failed_imports=False)
    return Config(out)


@HOOKS.register_module()
class ExportStudentHook(Hook):
    """Write ``student.pth`` and ``student_config.py`` at the end of
    training, so that plain mmpretrain reproduces ``tools/test.py``::

        from mmpretrain import get_model, ImageClassificationInferencer
        model = get_model('work_dirs/X/student_config.py',
                          pretrained='work_dirs/X/student.pth')

    ``student.pth`` holds ``{'state_dict', 'meta'}`` of the student alone
    (no ``student.`` prefix, weights only); ``student_config.py`` is
    :func:`student_config`. Runs without a student (RDSKD's generator
    stage) write nothing. A default hook of ``configs/_base_/
    dfkd_runtime.py`` (key ``export_student``).

    Args:
        filename (str): Weights file in ``work_dir``. Defaults to
            'student.pth'.
        config_filename (str): Config file in ``work_dir``. Defaults to
            'student_config.py'.
    """

    priority = 'LOW'

    def __init__(self, filename: str = 'student.pth',
                 config_filename: str = 'student_config.py'):
        self.filename = filename
        self.config_filename = config_filename

    @master_only
    def after_train(self, runner) -> None:
        algorithm = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        student = getattr(algorithm, 'student', None)
        if student is None:
            return
        if is_model_wrapper(student):
            student = student.module
        path = osp.join(runner.work_dir, self.filename)
        meta = dict(iter=runner.iter, algorithm=type(algorithm).__name__,
                    config=osp.basename(runner.cfg.filename or ''))
        with atomic_write(path) as f:
            torch.save(dict(state_dict=student.state_dict(), meta=meta), f)
        cfg_path = osp.join(runner.work_dir, self.config_filename)
        text = student_config(runner.cfg, algorithm).pretty_text
        with atomic_write(cfg_path, 'w') as f:
            f.write(f'# The student of {meta["config"]} (mmdfkd), for '
                    'mmpretrain:\n#   get_model(THIS, pretrained='
                    f'{self.filename!r} in this folder)\n' + text)
        runner.logger.info(f'Student written to {path} and {cfg_path}')
