"""Every config in configs/ builds and runs one (shrunk) train_step.

No download and no checkpoint: teachers are random (``init_random``), data
is random, and only the modules the config names are built.
"""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.optim import build_optim_wrapper

from mmdfkd.registry import DATASETS, MODELS

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    p for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                         recursive=True) if '_base_' not in p)


def _ids(path):
    return osp.relpath(path, osp.join(ROOT, 'configs'))


def test_there_are_configs():
    assert len(CONFIGS) >= 10


def _build_schedulers(sched, optim):
    """Build the config's schedulers; a dict must be keyed like the optim
    wrappers (attribute = optimizer key = scheduler key)."""
    from mmengine.optim import OptimWrapperDict

    from mmdfkd.registry import PARAM_SCHEDULERS
    if not sched:
        return
    if isinstance(optim, OptimWrapperDict):
        assert isinstance(sched, dict) and 'type' not in sched
        assert set(sched) == set(optim.keys())
        pairs = [(c, optim[k]) for k, cfgs in sched.items() for c in cfgs]
    else:
        pairs = [(c, optim) for c in (sched if isinstance(sched, list) else
                                      [sched])]
    for c, wrapper in pairs:
        PARAM_SCHEDULERS.build(dict(c, optimizer=wrapper))


@pytest.mark.parametrize('path', CONFIGS, ids=_ids)
def test_config_builds_and_steps(path):
    cfg = Config.fromfile(path)
    torch.manual_seed(0)
    if 'teacher' in cfg.model or 'teachers' in cfg.model:
        teachers = ([cfg.model.teacher] if 'teacher' in cfg.model else
                    list(cfg.model.teachers.values()))
        for t in teachers:
            t.init_random = True
        if 'generator_checkpoint' in cfg.model:  # RDSKD stage 3
            cfg.model.generator_checkpoint = None  # random frozen generator
            cfg.model.init_random = True
        model = MODELS.build(cfg.model)
        model.train()
        dataset = DATASETS.build(dict(cfg.train_dataloader.dataset,
                                      length=4))
        data = default_collate([dataset[i] for i in range(4)])
    else:  # a teacher-training or attention config: one supervised step
        from mmpretrain.structures import DataSample
        if 'student_checkpoint' in cfg.model:  # CDFKD-MFS attention run
            cfg.model.student_checkpoint = None  # random frozen student
            cfg.model.init_random = True
        model = MODELS.build(cfg.model)
        model.train()
        channels = len(model.data_preprocessor.mean)
        size = 32
        data = dict(
            inputs=[torch.randint(0, 255, (channels, size, size),
                                  dtype=torch.uint8) for _ in range(4)],
            data_samples=[DataSample().set_gt_label(i % 3)
                          for i in range(4)])
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    if 'teacher' in cfg.model or 'teachers' in cfg.model:
        # an optimizer for each trained generator / student, none for a
        # frozen one (RDSKD stage 3); no student (RDSKD stage 2): only the
        # generator's
        for name in ('generator', 'student'):
            module = getattr(model, name, None)
            trained = module is not None and any(
                p.requires_grad for p in module.parameters())
            assert (name in optim.keys()) == trained, name
        if getattr(model, 'student', None) is None:
            assert set(optim.keys()) == {'generator'}
    _build_schedulers(cfg.get('param_scheduler'), optim)
    log_vars = model.train_step(data, optim)
    assert log_vars and all(torch.isfinite(v) for v in log_vars.values())


@pytest.mark.parametrize('path', [p for p in CONFIGS if 'teachers' not in p],
                         ids=_ids)
def test_distillation_configs_read_no_real_training_data(path):
    cfg = Config.fromfile(path)
    if cfg.model.type == 'AttentionAggregation':
        # CDFKD-MFS's second run: a few labelled images of the train split
        assert cfg.train_dataloader.dataset.type == 'FewShotSubset'
        assert cfg.train_dataloader.dataset.dataset.split == 'train'
        assert cfg.val_dataloader.dataset.get('split') == 'test'
        return
    assert cfg.train_dataloader.dataset.type == 'LatentDataset'
    if cfg.model.get('student', None) is None:
        # a generator-only run (RDSKD stage 2): nothing to validate; the
        # teacher is checked on the real test split instead
        assert cfg.get('val_dataloader') is None
        loader = cfg.default_hooks.teacher_check.dataloader
        assert loader.dataset.get('split') == 'test'
        return
    # ImageNet-1k's labelled held-out split is called 'val'
    held_out = 'val' if cfg.val_dataloader.dataset.type == \
        'mmpretrain.ImageNet' else 'test'
    assert cfg.val_dataloader.dataset.get('split') == held_out
    evaluators = cfg.val_evaluator if isinstance(
        cfg.val_evaluator, list) else [cfg.val_evaluator]
    assert evaluators[0].type == 'mmpretrain.Accuracy'
