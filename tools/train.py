"""Train a data-free KD algorithm (or a teacher) from an mmdfkd config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
                                 [--cfg-options k=v ...] [--launcher pytorch]
"""
import argparse
import os
import os.path as osp
import sys

import torch
from mmengine.config import Config, DictAction

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import mmdfkd  # noqa: E402,F401  (registers the `mmdfkd::` config scope)
from mmdfkd.engine import build_runner  # noqa: E402
from mmdfkd.utils import DFKDInputError, user_error_message  # noqa: E402


def parse_args(argv=None):
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
    parser.add_argument(
        '--amp',
        action='store_true',
        help='mixed precision for every optimizer (bfloat16 autocast where '
        'supported, CPU included; float16 with loss scaling otherwise)')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rates by the total batch size over '
        'auto_scale_lr.base_batch_size')
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


def _amp_wrapper(cfg: dict) -> dict:
    """An optim-wrapper config switched to mixed precision."""
    cfg = dict(cfg)
    cuda = torch.cuda.is_available()
    bf16 = torch.cuda.is_bf16_supported() if cuda else True
    if cfg.get('type', 'OptimWrapper') not in ('OptimWrapper',
                                               'AutocastOptimWrapper'):
        return cfg  # already AMP (or a custom wrapper): leave it
    if bf16:
        cfg.update(type='AutocastOptimWrapper', dtype='bfloat16')
    else:
        cfg.update(type='AmpOptimWrapper', loss_scale='dynamic')
    return cfg


def merge_args(cfg: Config, args) -> Config:
    """Apply the command line to the config."""
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.launcher = args.launcher

    if args.amp:
        ow = cfg.optim_wrapper
        if ow.get('constructor') == 'PerModuleOptimWrapperConstructor':
            for name, sub in ow.items():
                if name != 'constructor':
                    ow[name] = _amp_wrapper(sub)
        else:
            cfg.optim_wrapper = _amp_wrapper(ow)

    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume

    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True

    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None

    if args.launcher != 'none' and not torch.cuda.is_available():
        # CPU-only distributed run: gloo, and DDP without device ids
        # (mmengine 0.10 injects device_ids=[LOCAL_RANK] otherwise).
        cfg.setdefault('model_wrapper_cfg',
                       dict(type='MMDistributedDataParallel'))
        cfg.model_wrapper_cfg['device_ids'] = None
        cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'

    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        if not osp.isfile(args.config):
            raise DFKDInputError(
                f'config file not found: {args.config}. Fix: give a path '
                'under configs/, e.g. configs/dafl/'
                'dafl_lenet5_lenet5-half_1xb128-2k_digits.py.')
        cfg = merge_args(Config.fromfile(args.config), args)
        if (args.launcher == 'pytorch' and not torch.cuda.is_available()
                and not torch.distributed.is_initialized()):
            # mmengine 0.10's init_dist calls torch.cuda.set_device; on CPU
            # the process group is created here and the Runner reuses it.
            torch.distributed.init_process_group(backend='gloo')
        runner = build_runner(cfg)
        runner.train()
    except Exception as e:  # bad input: one line, exit 1; bugs: traceback
        message = user_error_message(e)
        if message is None:
            raise
        print(f'mmdfkd error: {message}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
