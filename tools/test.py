"""Evaluate a checkpoint with an mmdfkd config (the student, on real data).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
                         [--cfg-options k=v ...] [--launcher pytorch]
"""
import argparse
import json
import os
import os.path as osp
import sys

import torch
from mmengine.config import Config, DictAction

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import mmdfkd  # noqa: E402,F401
from mmdfkd.engine import build_runner  # noqa: E402
from mmdfkd.engine import trusted_checkpoints  # noqa: E402
from mmdfkd.utils import DFKDInputError, user_error_message  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test with mmdfkd')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs')
    parser.add_argument('--out', help='write the metrics to this JSON file')
    parser.add_argument(
        '--amp', action='store_true', help='test under autocast')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        for path in (args.config, args.checkpoint):
            if not osp.isfile(path):
                raise DFKDInputError(f'file not found: {path}.')
        cfg = Config.fromfile(args.config)
        cfg.launcher = args.launcher
        if args.cfg_options is not None:
            cfg.merge_from_dict(args.cfg_options)
        cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
            './work_dirs', osp.splitext(osp.basename(args.config))[0])
        cfg.load_from = args.checkpoint
        # The checkpoint holds the teachers' weights too: build them without
        # loading (nor downloading) their own files.
        teachers = cfg.model.get('teachers', {}).values() if 'teachers' in \
            cfg.model else [cfg.model.get('teacher')]
        for teacher in teachers:
            if teacher is not None:
                teacher['init_random'] = True
        if args.amp:
            cfg.test_cfg.fp16 = True
        if args.launcher != 'none' and not torch.cuda.is_available():
            cfg.setdefault('model_wrapper_cfg',
                           dict(type='MMDistributedDataParallel'))
            cfg.model_wrapper_cfg['device_ids'] = None
            cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
            if not torch.distributed.is_initialized():
                torch.distributed.init_process_group(backend='gloo')
        runner = build_runner(cfg)
        # CHECKPOINT is the user's own run's output, so, like --resume, it
        # may be unpickled in full (mmengine checkpoints need it).
        with trusted_checkpoints():
            metrics = runner.test()
    except Exception as e:  # bad input: one line, exit 1; bugs: traceback
        message = user_error_message(e)
        if message is None:
            raise
        print(f'mmdfkd error: {message}', file=sys.stderr)
        return 1
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(metrics, f, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
