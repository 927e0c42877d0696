"""Train a data-free KD algorithm (or a teacher) from an mmdfkd config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]]
                                 [--amp | --no-amp] [--cfg-options k=v ...]
                                 [--launcher pytorch]

The logic of ``tools/train.py``: the command line, how it changes the config
(:func:`merge_args`, :func:`set_precision`) and the patches that let
``--launcher pytorch`` run on CPU-only machines (gloo).
"""
import argparse
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction

import mmdfkd  # noqa: F401  (registers the `mmdfkd::` config scope)
from mmdfkd.engine import build_runner
from mmdfkd.optim import PerModuleOptimWrapperConstructor
from mmdfkd.optim.autocast_optim_wrapper import native_bf16
from mmdfkd.utils import DFKDInputError
from .cli import check_launcher, cli_main, load_config


def parse_args(argv=None) -> argparse.Namespace:
    """The command line of ``tools/train.py`` (``argv``: None for
    ``sys.argv``)."""
    parser = argparse.ArgumentParser(description='Train with mmdfkd')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or from the latest one in '
        'the work dir when no path is given')
    precision = parser.add_mutually_exclusive_group()
    precision.add_argument(
        '--amp',
        action='store_true',
        help='force mixed precision for every optimizer: bfloat16 autocast '
        '(CPU included, even without native bfloat16), float16 with loss '
        'scaling on GPUs without native bfloat16. Distillation configs '
        'already use bfloat16 where the device computes it natively')
    precision.add_argument(
        '--no-amp',
        action='store_true',
        help='float32 for every optimizer (plain OptimWrapper): the float32 '
        'baseline')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rates by the total batch size over '
        'auto_scale_lr.base_batch_size')
    parser.add_argument(
        '--tensorboard',
        action='store_true',
        help='also log to TensorBoard (work_dir/<timestamp>/vis_data/: '
        'losses, learning rates, student and teacher top-1, the synthetic '
        'image grids); needs the tensorboard package')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='skip validation during training')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. model.teacher.checkpoint=X')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


#: Optim-wrapper keys that set its precision.
PRECISION_KEYS = ('type', 'dtype', 'loss_scale', 'use_fsdp')
_BUILTIN_WRAPPERS = ('OptimWrapper', 'AutocastOptimWrapper',
                     'AmpOptimWrapper')


def _amp_wrapper(cfg: dict) -> dict:
    """An optim-wrapper config switched to mixed precision: bfloat16
    autocast (CPU, GPUs with native bfloat16), else float16 with dynamic
    loss scaling. ``AmpOptimWrapper`` and custom wrappers are left alone."""
    cfg = dict(cfg)
    if cfg.get('type', 'OptimWrapper') not in ('OptimWrapper',
                                               'AutocastOptimWrapper'):
        return cfg  # already AMP (or a custom wrapper): leave it
    cuda = torch.cuda.is_available()
    if not cuda or native_bf16('cuda'):
        cfg.update(type='AutocastOptimWrapper', dtype='bfloat16')
    else:
        cfg.pop('dtype', None)
        cfg.update(type='AmpOptimWrapper', loss_scale='dynamic')
    return cfg


def _fp32_wrapper(cfg: dict) -> dict:
    """An optim-wrapper config switched to a plain float32 ``OptimWrapper``
    (custom wrappers are left alone)."""
    cfg = dict(cfg)
    if cfg.get('type', 'OptimWrapper') not in _BUILTIN_WRAPPERS:
        return cfg
    for key in PRECISION_KEYS:
        cfg.pop(key, None)
    cfg['type'] = 'OptimWrapper'
    return cfg


def set_precision(optim_wrapper: dict, precision: str) -> dict:
    """Switch every optim wrapper of a config to ``precision``.

    Args:
        optim_wrapper (dict): ``cfg.optim_wrapper``: one wrapper, or the
            per-submodule wrappers of ``PerModuleOptimWrapperConstructor``
            (whose ``defaults`` keep their other settings, e.g. the
            optimizer's ``fused``).
        precision (str): ``'amp'`` (``--amp``) or ``'fp32'`` (``--no-amp``).

    Returns:
        dict: The switched ``optim_wrapper`` config.
    """
    switch = dict(amp=_amp_wrapper, fp32=_fp32_wrapper)[precision]
    if optim_wrapper.get('constructor') != 'PerModuleOptimWrapperConstructor':
        return switch(optim_wrapper)
    PerModuleOptimWrapperConstructor.merged_entries(optim_wrapper)  # check
    defaults = dict(optim_wrapper.get('defaults') or {})
    shared = {k: defaults.pop(k) for k in PRECISION_KEYS if k in defaults}
    switched = dict(constructor=optim_wrapper['constructor'],
                    defaults=defaults)
    for name, entry in optim_wrapper.items():
        if name not in switched:
            own = {} if entry.get('_delete_', False) else shared
            switched[name] = switch({**own, **entry})
    return switched


def patch_cpu_distributed(cfg: Config) -> None:
    """Set up a CPU-only distributed run: gloo, and DDP without device ids
    (mmengine 0.10 injects ``device_ids=[LOCAL_RANK]`` otherwise)."""
    cfg.setdefault('model_wrapper_cfg',
                   dict(type='MMDistributedDataParallel'))
    cfg.model_wrapper_cfg['device_ids'] = None
    cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'


def init_cpu_process_group(launcher: str) -> None:
    """Create the gloo process group of a CPU-only ``--launcher pytorch``
    run: mmengine 0.10's ``init_dist`` calls ``torch.cuda.set_device``, so on
    CPU the group is created here and the Runner reuses it."""
    if (launcher == 'pytorch' and not torch.cuda.is_available()
            and not torch.distributed.is_initialized()):
        torch.distributed.init_process_group(backend='gloo')


def add_tensorboard(cfg: Config) -> None:
    """Add mmengine's ``TensorboardVisBackend`` to the visualizer (a list
    of dicts, which ``--cfg-options`` cannot append to)."""
    try:
        import tensorboard  # noqa: F401
    except ImportError as e:
        raise DFKDInputError(
            '--tensorboard needs the tensorboard package. Fix: pip install '
            'tensorboard.') from e
    vis = cfg.setdefault('visualizer', dict(type='Visualizer'))
    backends = list(vis.get('vis_backends') or [])
    if not any(b.get('type') == 'TensorboardVisBackend' for b in backends):
        backends.append(dict(type='TensorboardVisBackend'))
    vis['vis_backends'] = backends


def merge_args(cfg: Config, args) -> Config:
    """Apply the command line to the config."""
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.launcher = args.launcher

    if args.amp or args.no_amp:
        cfg.optim_wrapper = set_precision(cfg.optim_wrapper,
                                          'amp' if args.amp else 'fp32')

    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume

    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True

    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None

    if getattr(args, 'tensorboard', False):
        add_tensorboard(cfg)

    if args.launcher != 'none' and not torch.cuda.is_available():
        patch_cpu_distributed(cfg)

    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
        if any(k.split('.')[0] == 'custom_imports' for k in args.cfg_options):
            # Config.fromfile imports a file's custom_imports; these came
            # after it
            from mmengine.utils import import_modules_from_strings
            import_modules_from_strings(**cfg.custom_imports)
    return cfg


def _positive(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and \
        value > 0


def check_train_config(cfg: Config) -> None:
    """What can be checked before anything is built or written: iteration
    counts, batch sizes, the latent size the generator and the codes
    agree on, the device. Each failure is one
    :class:`DFKDInputError`."""
    train_cfg = cfg.get('train_cfg') or {}
    for key in ('max_iters', 'max_epochs', 'val_interval'):
        if key in train_cfg and not _positive(train_cfg[key]):
            raise DFKDInputError(
                f'train_cfg.{key}={train_cfg[key]!r}: must be a positive '
                f'integer (a run of {train_cfg[key]} would train nothing '
                f'and exit as if it had). Fix: --cfg-options train_cfg.'
                f'{key}=N with N >= 1.')
    loader = cfg.get('train_dataloader') or {}
    sizes = {'train_dataloader.batch_size': loader.get('batch_size')}
    model = cfg.get('model') or {}
    sizes['model.batch_size'] = model.get('batch_size')
    for name in ('synthesizer', 'generator'):
        if isinstance(model.get(name), dict):
            sizes[f'model.{name}.batch_size'] = model[name].get('batch_size')
    for key, value in sizes.items():
        if value is not None and not _positive(value):
            raise DFKDInputError(
                f'{key}={value!r}: a batch size must be a positive integer. '
                f'Fix: --cfg-options {key}=N with N >= 1.')
    dataset = loader.get('dataset') or {}
    generator = model.get('generator') or {}
    if (dataset.get('type') == 'LatentDataset'
            and isinstance(generator, dict)
            and _positive(generator.get('latent_dim'))
            and _positive(dataset.get('latent_dim'))
            and generator['latent_dim'] != dataset['latent_dim']):
        raise DFKDInputError(
            f'model.generator.latent_dim={generator["latent_dim"]} but the '
            'latent codes (train_dataloader.dataset.latent_dim) have '
            f'{dataset["latent_dim"]}. Fix: set both to the same size '
            '(configs read it from one latent_dim variable).')
    device = cfg.get('device')
    if device is not None:
        cuda = str(device).startswith('cuda')
        if cuda and not torch.cuda.is_available():
            raise DFKDInputError(
                f'device={device!r}, but CUDA is not available here. Fix: '
                'run on a machine with a GPU, or drop the device key (runs '
                'use CUDA when it is available, else the CPU).')
        if not cuda and str(device) != 'cpu':
            raise DFKDInputError(
                f'device={device!r} is not a device mmdfkd runs on. Fix: '
                'drop the key (runs use CUDA when available, else the CPU).')
        if not cuda and torch.cuda.is_available():
            raise DFKDInputError(
                "device='cpu', but the runner places the model on the GPU "
                'whenever CUDA is available. Fix: CUDA_VISIBLE_DEVICES= '
                'python tools/train.py ... to train on the CPU.')


def check_teacher_files(cfg: Config) -> None:
    """A teacher architecture given as a model dict whose local
    ``checkpoint`` is missing: the same one line the build would give, but
    before mmengine logs its environment and the config (zoo names and
    config paths are resolved by the build, which names them first)."""
    from mmdfkd.models.teacher import MISSING_HINT
    model = cfg.get('model') or {}
    teachers = list((model.get('teachers') or {}).values()) or [
        model.get('teacher')]
    for teacher in teachers:
        if not isinstance(teacher, dict) or teacher.get('init_random') \
                or not isinstance(teacher.get('model'), dict):
            continue
        ckpt = teacher.get('checkpoint')
        if (isinstance(ckpt, str) and '://' not in ckpt
                and not osp.isfile(osp.expanduser(ckpt))):
            raise DFKDInputError(
                f'teacher checkpoint not found: {ckpt}. Fix: ' +
                MISSING_HINT['teacher'])


def prepare_work_dir(work_dir: str) -> None:
    """Create ``work_dir`` (as the runner would), or one line why not."""
    try:
        os.makedirs(work_dir, exist_ok=True)
    except OSError as e:
        raise DFKDInputError(
            f'cannot create the work dir {work_dir}: {e.strerror} '
            f'({e.filename or work_dir}). Fix: choose a --work-dir whose '
            'parents are writable directories.') from e
    if not os.access(work_dir, os.W_OK | os.X_OK):
        raise DFKDInputError(
            f'the work dir {work_dir} is not writable. Fix: choose another '
            '--work-dir, or fix its permissions.')


@cli_main
def main(argv=None) -> int:
    """``tools/train.py``: train the config; returns the exit status."""
    args = parse_args(argv)
    check_launcher(args.launcher)
    cfg = merge_args(load_config(args.config), args)
    check_train_config(cfg)
    check_teacher_files(cfg)
    prepare_work_dir(cfg.work_dir)
    init_cpu_process_group(args.launcher)
    runner = build_runner(cfg)
    runner.train()
    # Free the DDP wrappers before the process group goes: left to the
    # interpreter's exit, gloo's threads can outlive them and abort a rank.
    del runner
    if torch.distributed.is_initialized():
        import gc
        gc.collect()
        torch.distributed.destroy_process_group()
    return 0
