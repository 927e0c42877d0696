"""One command from a classifier to a distilled student.

    python tools/distill.py TEACHER --student STUDENT --method METHOD
        [--teacher-checkpoint PATH] [--val-data DIR] [--iters N]
        [--work-dir DIR] [--dry-run] [--cfg-options k=v ...]

TEACHER and STUDENT are mmpretrain zoo names (``resnet34_8xb16_cifar10``),
``mmpretrain::`` config paths or local config paths; the teacher's weights
are the zoo's published ones unless ``--teacher-checkpoint`` is given (a
``.pth`` / ``.safetensors`` state dict), the student starts from scratch.
METHOD picks a preset: the method's CIFAR config (:data:`PRESETS`), whose
networks, class count, image size, channels and normalisation are replaced
by the teacher's (read from its config: ``data_preprocessor``, test
pipeline, head). ``--val-data`` is the root of the teacher's test split in
the layout its config expects (e.g. ``data/cifar10``): the run reports the
student's accuracy there; without it the run reports teacher-student
agreement on synthetic images (:class:`~mmdfkd.hooks.AgreementHook`).

The resolved config is written to ``WORK_DIR/distill_config.py`` (and
printed by ``--dry-run``), so ``python tools/train.py
WORK_DIR/distill_config.py`` reproduces the run.
"""
import argparse
import copy
import os
import os.path as osp
from typing import Optional, Tuple

from mmengine.config import Config, ConfigDict, DictAction

from mmdfkd.utils import DFKDInputError, atomic_write
from .cli import cli_main

_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
#: Method -> its CIFAR config (ResNet-34 -> ResNet-18) the preset starts
#: from, relative to configs/.
PRESETS = dict(
    dafl='dafl/dafl_resnet34_resnet18_8xb128-240k_cifar10.py',
    dfad='dfad/dfad_resnet34_resnet18_1xb256-25k_cifar10.py',
    cgdd='cgdd/resnet34_resnet18_cifar100.py',
    deepinversion='deepinversion/deepinversion_resnet34_resnet18_cifar10.py',
    cmi='cmi/cmi_resnet34_resnet18_cifar10.py',
    fast='fast/fast-5_resnet34_resnet18_cifar10.py',
    nayer='nayer/nayer-100_resnet34_resnet18_cifar10.py',
)


def _configs_dir() -> str:
    for path in (osp.join(_ROOT, 'configs'),
                 osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                          '.mim', 'configs')):
        if osp.isdir(path):
            return path
    raise DFKDInputError(
        'the mmdfkd configs are not installed next to the package. Fix: run '
        'from a checkout of mmdfkd, or reinstall it (tools/install.sh).')


def _model_config(name: str, what: str) -> Tuple[Config, Optional[str]]:
    """:func:`mmdfkd.models.model_config`, refusing a weights file."""
    if name.endswith(('.pth', '.safetensors', '.pt')):
        raise DFKDInputError(
            f'{what} {name} is a weights file, which carries no '
            f'architecture. Fix: give the {what} as a zoo name or config '
            'path' + (' and the file as --teacher-checkpoint.'
                      if what == 'teacher' else '.'))
    from mmdfkd.models import model_config
    return model_config(name, what)


def _walk(cfg, fn, path=()):
    """Call ``fn(dict, path)`` on every dict in ``cfg``."""
    if isinstance(cfg, dict):
        fn(cfg, path)
        for key, value in cfg.items():
            _walk(value, fn, path + (key, ))
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            _walk(value, fn, path)


def _image_size(tcfg: Config) -> int:
    """The side of the images the teacher was tested on (its test
    pipeline's last crop or resize; 32 when it has none)."""
    loader = tcfg.get('test_dataloader') or {}
    pipeline = (loader.get('dataset') or {}).get('pipeline') or []
    size = 32
    for t in pipeline:
        for key in ('crop_size', 'scale'):
            value = t.get(key)
            if isinstance(value, int):
                size = value
            elif isinstance(value, (list, tuple)) and value and all(
                    isinstance(v, int) for v in value):
                size = value[0]
    return size


def _scale_schedule(cfg: Config, iters: int) -> None:
    """Stretch the iteration-based schedule of ``cfg`` to ``iters``."""
    old = cfg.train_cfg.max_iters
    factor = iters / old

    def scaled(value):
        return max(1, round(value * factor)) if value else value

    schedulers = cfg.get('param_scheduler') or {}
    groups = schedulers.values() if isinstance(schedulers, dict) else [
        schedulers]
    for group in groups:
        for s in (group if isinstance(group, (list, tuple)) else [group]):
            for key in ('begin', 'end', 'T_max'):
                if s.get(key):
                    s[key] = min(scaled(s[key]), iters)
            if s.get('milestones'):
                s['milestones'] = [scaled(m) for m in s['milestones']]
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = min(cfg.train_cfg.get('val_interval', iters)
                                     or iters, iters)
    hooks = cfg.default_hooks
    for key in ('checkpoint', 'synthetic'):
        if key in hooks and hooks[key].get('interval'):
            hooks[key].interval = min(hooks[key].interval, iters)


def distill_config(teacher: str, student: str, method: str,
                   teacher_checkpoint: Optional[str] = None,
                   val_data: Optional[str] = None,
                   iters: Optional[int] = None) -> Config:
    """The resolved config of a ``tools/distill.py`` run."""
    if method not in PRESETS:
        raise DFKDInputError(
            f'unknown method {method!r}. Fix: one of '
            f'{", ".join(sorted(PRESETS))}.')
    tcfg, published = _model_config(teacher, 'teacher')
    scfg, _ = _model_config(student, 'student')
    if teacher_checkpoint is None and published is None:
        raise DFKDInputError(
            f'teacher {teacher} has no published weights. Fix: '
            '--teacher-checkpoint PATH.')
    cfg = Config.fromfile(osp.join(_configs_dir(), PRESETS[method]))
    model = cfg.model
    num_classes = tcfg.model.head.num_classes
    pre = dict(tcfg.get('data_preprocessor') or
               tcfg.model.get('data_preprocessor') or {})
    mean, std = pre.get('mean'), pre.get('std')
    if mean is None or std is None:
        raise DFKDInputError(
            f'the config of teacher {teacher} has no data_preprocessor '
            'mean/std, which the synthesised images must follow. Fix: give '
            'a config that sets them.')
    channels, size = len(mean), _image_size(tcfg)

    model.teacher = ConfigDict(model=teacher, checkpoint=teacher_checkpoint)
    student_model = copy.deepcopy(scfg.model.to_dict())
    student_model.pop('data_preprocessor', None)
    student_model.setdefault('_scope_', 'mmpretrain')
    if cfg.model.student.get('type', '').endswith('FeatureMapClassifier'):
        student_model['type'] = 'mmdfkd.FeatureMapClassifier'  # CGDD
    model.student = ConfigDict(student_model)

    def adapt(d, path):
        if 'num_classes' in d and isinstance(d['num_classes'], int) and \
                path[:1] != ('teacher', ):
            d['num_classes'] = num_classes
        if isinstance(d.get('image_size'), (list, tuple)):
            d['image_size'] = (channels, size, size)
        if 'img_size' in d:
            d['img_size'] = size
        if 'out_channels' in d and 'img_size' in d:
            d['out_channels'] = channels
        if 'fill' in d:  # the pool's crop fill: black in normalised units
            d['fill'] = [-m / s for m, s in zip(mean, std)]

    _walk(model, adapt)
    model.data_preprocessor.update(mean=mean, std=std,
                                   to_rgb=pre.get('to_rgb', False))
    model.data_preprocessor.pop('num_classes', None)

    if val_data is not None:
        if not osp.isdir(val_data):
            raise DFKDInputError(
                f'--val-data {val_data} is not a folder. Fix: give the root '
                'of the teacher\'s test split as its config expects it.')
        loader = copy.deepcopy(tcfg.test_dataloader.to_dict())
        loader['dataset'].update(data_root=val_data, _scope_='mmpretrain')
        loader['sampler'] = dict(type='DefaultSampler', shuffle=False)
        loader.update(num_workers=min(loader.get('num_workers', 2), 2),
                      persistent_workers=False)
        loader.pop('collate_fn', None)
        evaluator = dict(tcfg.test_evaluator, _scope_='mmpretrain')
        cfg.val_dataloader = cfg.test_dataloader = ConfigDict(loader)
        cfg.val_evaluator = cfg.test_evaluator = ConfigDict(evaluator)
        cfg.default_hooks.teacher_check.min_top1 = 0.0  # measured, shown
    else:
        cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
        cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
            dict(type='AgreementHook',
                 interval=cfg.train_cfg.get('val_interval', 1000))]
    if iters is not None:
        if iters < 1:
            raise DFKDInputError(f'--iters {iters}: must be >= 1.')
        _scale_schedule(cfg, iters)
        for hook in cfg.get('custom_hooks') or []:
            if hook.get('type') == 'AgreementHook':
                hook['interval'] = cfg.train_cfg.val_interval
    return cfg


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Distil a classifier into a student, data-free')
    parser.add_argument('teacher', help='zoo name or config path')
    parser.add_argument('--student', required=True,
                        help='zoo name or config path (trained from scratch)')
    parser.add_argument('--method', required=True, choices=sorted(PRESETS))
    parser.add_argument('--teacher-checkpoint',
                        help="the teacher's weights (default: the zoo's)")
    parser.add_argument('--val-data', help="root of the teacher's test split")
    parser.add_argument('--iters', type=int,
                        help="training iterations (the preset's schedule "
                        'stretched to them)')
    parser.add_argument('--work-dir')
    parser.add_argument('--dry-run', action='store_true',
                        help='print the resolved config and exit')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the resolved config')
    return parser.parse_args(argv)


@cli_main
def main(argv=None) -> int:
    """``tools/distill.py``; returns the exit status."""
    from .setup_env import register_all_modules
    from .train import main as train_main
    args = parse_args(argv)
    register_all_modules()
    cfg = distill_config(args.teacher, args.student, args.method,
                         args.teacher_checkpoint, args.val_data, args.iters)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    name = '_'.join(
        [args.method] + [osp.splitext(osp.basename(n.split('::')[-1]))[0]
                         for n in (args.teacher, args.student)])
    work_dir = args.work_dir or osp.join('work_dirs', f'distill_{name}')
    if args.dry_run:
        print(cfg.pretty_text)
        return 0
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, 'distill_config.py')
    with atomic_write(path, 'w') as f:
        f.write(f'# tools/distill.py {args.teacher} --student {args.student}'
                f' --method {args.method}\n' + cfg.pretty_text)
    print(f'config written to {path}')
    return train_main([path, '--work-dir', work_dir])
