"""Evaluate a checkpoint with an mmdfkd config (the student, on real data).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
                         [--cfg-options k=v ...] [--launcher pytorch]

The logic of ``tools/test.py``.
"""
import argparse
import json
import os
import os.path as osp
from contextlib import nullcontext

import torch
from mmengine.config import DictAction

import mmdfkd  # noqa: F401  (registers the `mmdfkd::` config scope)
from mmdfkd.engine import build_runner, is_trusted, trusted_checkpoints
from mmdfkd.utils import DFKDInputError, atomic_write
from .cli import check_launcher, cli_main, load_config
from .train import init_cpu_process_group, patch_cpu_distributed


def parse_args(argv=None) -> argparse.Namespace:
    """The command line of ``tools/test.py`` (``argv``: None for
    ``sys.argv``)."""
    parser = argparse.ArgumentParser(description='Test with mmdfkd')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs')
    parser.add_argument('--out', help='write the metrics to this JSON file')
    parser.add_argument(
        '--trust-checkpoint', action='store_true',
        help='unpickle CHECKPOINT in full even outside the run\'s work_dir '
        '(only for files you trust: unpickling can run code). Without it a '
        'checkpoint outside work_dir is read weights_only')
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


@cli_main
def main(argv=None) -> int:
    """``tools/test.py``: score the checkpoint; returns the exit status."""
    args = parse_args(argv)
    check_launcher(args.launcher)
    if not osp.isfile(args.checkpoint):
        raise DFKDInputError(f'file not found: {args.checkpoint}.')
    if args.out and osp.isdir(args.out):
        raise DFKDInputError(
            f'--out {args.out} is a directory. Fix: give a file name, e.g. '
            f'{osp.join(args.out, "metrics.json")}.')
    cfg = load_config(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    run_dir = cfg.get('work_dir') or osp.join(
        './work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.work_dir = args.work_dir or run_dir
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
        patch_cpu_distributed(cfg)
    init_cpu_process_group(args.launcher)
    runner = build_runner(cfg)
    # a checkpoint of the run's own work_dir is the user's output, so, like
    # --resume, it may be unpickled in full (mmengine checkpoints need it)
    trusted = any(is_trusted(args.checkpoint, d, args.trust_checkpoint)
                  for d in (cfg.work_dir, run_dir))
    with trusted_checkpoints() if trusted else nullcontext():
        metrics = runner.test()
    if args.out:
        with atomic_write(args.out, 'w') as f:
            json.dump(metrics, f, indent=2)
    return 0
