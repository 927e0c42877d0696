"""Every config in configs/ builds and runs one (shrunk) train_step.

No download and no checkpoint: teachers are random (``init_random``), data
is random, and only the modules the config names are built. The layout
checks at the top keep the configs short and their constants in one place
(docs/configs.md).
"""
import ast
import glob
import io
import os
import os.path as osp
import re
import tokenize

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


MAX_LINES = 45
# configs/<method>/ folders; teachers/ holds the teacher-training configs
METHOD_DIRS = sorted(
    d for d in os.listdir(osp.join(ROOT, 'configs'))
    if osp.isdir(osp.join(ROOT, 'configs', d))
    and d not in ('_base_', 'teachers'))


def _read(path):
    with open(path) as f:
        return f.read()


def test_configs_are_short():
    # every file outside configs/_base_/: the configs and the method bases
    # (<method>/_base_*.py), which CONFIGS leaves out
    files = [p for p in glob.glob(osp.join(ROOT, 'configs', '*', '*.py'))
             if osp.basename(osp.dirname(p)) != '_base_']
    assert set(CONFIGS) < set(files)
    long = {_ids(p): n for p in files
            if (n := len(_read(p).splitlines())) > MAX_LINES}
    assert not long, f'configs over {MAX_LINES} lines: {long}'


def _dataset_constants():
    """The *_mean / *_std values of configs/_base_/datasets (non-integers:
    an integer such as 128 is too common in configs to flag)."""
    numbers = set()
    for path in glob.glob(osp.join(ROOT, 'configs/_base_/datasets/*.py')):
        for key, value in Config.fromfile(path).items():
            if key.endswith(('_mean', '_std')):
                numbers.update(float(v) for v in value if v != int(v))
    return numbers


def _number(token):
    try:
        return float(token.replace('_', ''))
    except ValueError:  # hex, complex
        return None


def hard_coded_constants(source, constants):
    """The number tokens of ``source`` (comments excluded) in
    ``constants``."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [t.string for t in tokens
            if t.type == tokenize.NUMBER and _number(t.string) in constants]


def test_no_config_imports_a_module():
    """mmengine 0.10 takes a config that imports a non-builtin module for a
    lazy-import config, which it cannot inherit, and in a virtualenv it
    counts `math` as non-builtin (its path is outside sys.executable's)."""
    offenders = [
        osp.relpath(p, ROOT)
        for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                           recursive=True)
        if any(line.startswith(('import ', 'from '))
               for line in open(p).read().splitlines())]
    assert offenders == []


def test_no_config_has_an_import_statement():
    """No ``import`` / ``from ... import`` anywhere in a config (by its AST).

    mmengine 0.10 (``Config._is_lazy_import``) walks a config's AST and
    takes any import of a module it does not count as the standard library
    for a lazy-import (``read_base``) config, which cannot sit in a
    ``_base_`` chain: ``Config.fromfile`` raises ``ConfigParsingError``
    ("... must match ... lazy_import"). It counts a module as the standard
    library when its file lies under ``dirname(dirname(sys.executable))``
    or /usr/lib/python. In a virtualenv ``sys.executable`` is
    ``<venv>/bin/python``, so ``math`` (``lib-dynload/math*.so`` of the
    base interpreter) counts as third-party and the RDSKD generator configs
    that imported it did not load there, while CI in the system interpreter
    passed. Whether an import is safe thus depends on the interpreter, so
    configs import nothing: write the value as a literal (or arithmetic)
    with the formula in a comment. Unlike the line check above, this also
    sees indented imports (under ``if``/``try``), as mmengine's walk does.
    """
    offenders = []
    for path in sorted(glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                                 recursive=True)):
        tree = ast.parse(_read(path), filename=path)
        offenders += [
            f'{osp.relpath(path, ROOT)}:{node.lineno}'
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert offenders == [], (
        'configs must not import (mmengine 0.10 then parses them as '
        f'lazy-import configs inside a virtualenv): {offenders}')


def test_dataset_constants_only_in_base_datasets():
    constants = _dataset_constants()
    assert {72.83, 86.32, 77.909, 129.304} <= constants
    # the check itself: a literal is caught, a comment is not
    assert hard_coded_constants('m = [72.83]  # 86.32', constants) == \
        ['72.83']
    datasets = osp.join(ROOT, 'configs', '_base_', 'datasets')
    found = {}
    for path in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                          recursive=True):
        if osp.dirname(path) != datasets:
            hits = hard_coded_constants(_read(path), constants)
            if hits:
                found[_ids(path)] = hits
    assert not found, ('mean / std written out instead of read from '
                       f'configs/_base_/datasets (_base_.<name>): {found}')


@pytest.mark.parametrize('method', METHOD_DIRS)
def test_method_folder_has_cpu_pair_and_lists_its_configs(method):
    folder = osp.join(ROOT, 'configs', method)
    configs = sorted(osp.basename(p) for p in glob.glob(
        osp.join(folder, '*.py')) if not osp.basename(p).startswith('_base_'))
    # the CPU-sized pair every method has
    assert any(c.endswith('_digits.py') for c in configs), method
    assert any(c.endswith('_fashion-mnist.py') for c in configs), method
    listed = ''
    for doc in ('metafile.yml', 'README.md'):
        with open(osp.join(folder, doc)) as f:
            listed += f.read()
    missing = [c for c in configs if c not in listed]
    assert not missing, f'not in {method}/metafile.yml or README.md: {missing}'
    # every config the metafile names exists
    for path in re.findall(r'Config: (\S+)', listed):
        assert osp.isfile(osp.join(ROOT, path)), path


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


def _slow_unless_small(paths):
    """The CPU-sized (digits, Fashion-MNIST) configs stay in the fast
    subset; CIFAR / Caltech / ImageNet sizes are marked slow."""
    small = ('digits', 'fashion-mnist')
    return [p if any(s in p for s in small) else
            pytest.param(p, marks=pytest.mark.slow) for p in paths]


@pytest.mark.parametrize('path', _slow_unless_small(CONFIGS), ids=_ids)
def test_config_builds_and_steps(path):
    cfg = Config.fromfile(path)
    torch.manual_seed(0)
    if 'teacher' in cfg.model or 'teachers' in cfg.model:
        teachers = ([cfg.model.teacher] if 'teacher' in cfg.model else
                    list(cfg.model.teachers.values()))
        for t in teachers:
            t.init_random = True
        if 'synthesizer' in cfg.model:  # one short synthesis round
            cfg.model.synthesizer.update(batch_size=10, iterations=1)
            cfg.model.batch_size = 4
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
    # and no optimizer sits at lr 0 for the end of the run (one load of the
    # config for both checks)
    assert not _lr_zero_early(cfg), 'a schedule reaches lr 0 early'
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


def _schedulers(cfg):
    """(optimizer name, scheduler dict) of a config's param_scheduler (a
    list, one dict, or a dict of lists per optimizer)."""
    sched = cfg.get('param_scheduler') or []
    if isinstance(sched, dict) and 'type' not in sched:
        return [(name, s) for name, lst in sched.items()
                for s in (lst if isinstance(lst, (list, tuple))
                          else [lst] if lst else [])]
    return [(None, s) for s in (sched if isinstance(sched, list)
                                else [sched])]


def _lr_zero_early(cfg):
    """The cosine schedules to eta_min 0 that end before ``max_iters``: they
    leave their optimizer at lr 0 for the rest of the run (e.g. a child
    config that lengthens the run and stretches only one schedule)."""
    max_iters = cfg.train_cfg.get('max_iters')
    if max_iters is None:  # epoch-based
        return []
    return [(name, s.get('end', s.get('T_max', max_iters)))
            for name, s in _schedulers(cfg)
            if s.type == 'CosineAnnealingLR' and not s.get('eta_min')
            and not s.get('eta_min_ratio') and not s.get('by_epoch', True)
            and s.get('end', s.get('T_max', max_iters)) < max_iters]


def test_schedule_check_can_fail():
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs/cgdd/cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py'))
    cfg.train_cfg.max_iters = 800  # the student's schedule still ends at 400
    assert _lr_zero_early(cfg) == [('student', 400)]
    cfg.param_scheduler.generator = [dict(cfg.param_scheduler.student[0])]
    assert _lr_zero_early(cfg) == [('generator', 400), ('student', 400)]
