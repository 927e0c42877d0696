"""Start-up time of a resumed run against the iteration it resumes at.

    python tools/analysis/benchmark_resume.py CONFIG [--iters N [N ...]]
        [--loop mmdfkd|mmengine|both] [--repeats R] [--work-dir DIR]
        [--cfg-options KEY=VALUE ...]

For every ``N`` a checkpoint "saved at iteration N" is fabricated: one
iteration of the config is trained and its checkpoint's iteration count
(``meta.iter`` and the message hub's ``iter``) is set to ``N``; the weights
and optimizer states are those of iteration 1, which does not change the
start-up work. Each setting then resumes from it (``resume=True``,
``max_iters=N + 1``) and is timed from building the runner until the first
new training iteration begins (its ``before_train_iter``, where the run is
stopped), in one process, ``R`` times (the median is reported):

* ``mmdfkd``: the config as it is
  (:class:`~mmdfkd.engine.DFKDIterBasedTrainLoop` with
  :class:`~mmdfkd.datasets.ResumableSampler`): the finished iterations are
  skipped in constant time;
* ``mmengine``: the loop and sampler replaced by mmengine's
  ``IterBasedTrainLoop`` and ``DefaultSampler``, which draw every finished
  batch again (and sleep 2 s at each epoch end of the train dataloader).

Teachers are random (``init_random``) and validation and the
``teacher_check`` hook are off, so no data set or checkpoint is needed and
only the train dataloader is read. The table gives per setting and ``N``
the start-up seconds and the train batches drawn to skip the finished
iterations (batches the main process took from DataLoader iterators before
the first new iteration, less that iteration's own); then, per setting,
the start-up at the largest ``N`` minus (and over) the one at the smallest.
"""
import argparse
import copy
import os.path as osp
import statistics
import tempfile
import time
from typing import Dict, List, Tuple

import torch
from mmengine.config import Config, DictAction
from mmengine.hooks import Hook
from torch.utils.data import dataloader as torch_dataloader

from mmdfkd.apis import cli_main, register_all_modules
from mmdfkd.engine import build_runner
from .reference_loops import random_init

#: setting -> (train loop, train sampler); None keeps the config's
SETTINGS = {
    'mmdfkd': (None, None),
    'mmengine': ('IterBasedTrainLoop', 'DefaultSampler'),
}


class _FirstIteration(Exception):
    """Raised at the first new iteration: the start-up is over."""


class _StopAtFirstIteration(Hook):
    """Notes the time and the batches drawn so far, then stops the run."""

    priority = 'HIGHEST'

    def __init__(self, counter: List[int]):
        self.counter = counter
        self.time = self.batches = None

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self.time = time.perf_counter()
        self.batches = self.counter[0] - 1  # this iteration's own batch
        raise _FirstIteration


def _benchmark_cfg(cfg: Config, work_dir: str) -> Config:
    """Random teachers, no validation, no teacher check, in ``work_dir``."""
    cfg = random_init(cfg)
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    for key in ('val_dataloader', 'val_cfg', 'val_evaluator',
                'test_dataloader', 'test_cfg', 'test_evaluator'):
        cfg[key] = None
    cfg.get('default_hooks', {}).pop('teacher_check', None)
    cfg.log_level = 'WARNING'
    return cfg


def _checkpoint_at(cfg: Config, iters: List[int], work_dir: str) -> Dict:
    """``{N: path}`` of checkpoints that say they were saved at ``N``."""
    one = copy.deepcopy(cfg)
    one.work_dir = osp.join(work_dir, 'one_iteration')
    one.train_cfg.max_iters = 1
    one.default_hooks.checkpoint.update(interval=1, max_keep_ckpts=-1)
    build_runner(one).train()
    ckpt = torch.load(osp.join(one.work_dir, 'iter_1.pth'),
                      map_location='cpu', weights_only=False)
    paths = {}
    for n in iters:
        ckpt['meta']['iter'] = n
        runtime_info = ckpt.get('message_hub', {}).get('runtime_info', {})
        if 'iter' in runtime_info:
            runtime_info['iter'] = n
        paths[n] = osp.join(work_dir, f'iter_{n}.pth')
        torch.save(ckpt, paths[n])
    return paths


def _start_up(cfg: Config, setting: str, path: str, n: int, work_dir: str,
              repeat: int) -> Tuple[float, int]:
    """Seconds from building the resumed runner to its first new iteration,
    and the train batches drawn to skip the finished ones."""
    cfg = copy.deepcopy(cfg)
    loop, sampler = SETTINGS[setting]
    if loop is not None:
        cfg.train_cfg.type = loop
        cfg.train_dataloader.sampler.type = sampler
    cfg.train_cfg.max_iters = n + 1
    name = f'{setting}_{n}_{repeat}'  # own logger, visualizer, log_dir
    cfg.update(resume=True, load_from=path, experiment_name=name,
               work_dir=osp.join(work_dir, name))
    counter = [0]
    base_next = torch_dataloader._BaseDataLoaderIter.__next__

    def counting_next(self):
        batch = base_next(self)  # StopIteration (an epoch end) not counted
        counter[0] += 1
        return batch

    stop = _StopAtFirstIteration(counter)
    torch_dataloader._BaseDataLoaderIter.__next__ = counting_next
    try:
        start = time.perf_counter()
        runner = build_runner(cfg)
        runner.register_hook(stop)
        try:
            runner.train()
        except _FirstIteration:
            pass
    finally:
        torch_dataloader._BaseDataLoaderIter.__next__ = base_next
    if stop.time is None:
        raise RuntimeError(f'{setting}: the resumed run at {n} trained no '
                           'iteration')
    return stop.time - start, stop.batches


def format_table(rows: List[Tuple[str, int, float, int]]) -> str:
    """The markdown table of ``(setting, N, seconds, batches)`` rows and,
    per setting, the start-up at the largest N against the smallest."""
    lines = ['| loop | resume at iteration | start-up (s) | '
             'batches drawn to skip |', '|---|---:|---:|---:|']
    for setting, n, seconds, batches in rows:
        lines.append(f'| {setting} | {n} | {seconds:.2f} | {batches} |')
    lines.append('')
    for setting in dict.fromkeys(row[0] for row in rows):
        mine = sorted((n, s) for name, n, s, _ in rows if name == setting)
        (lo, t_lo), (hi, t_hi) = mine[0], mine[-1]
        lines.append(f'{setting}: start-up at {hi} - at {lo} = '
                     f'{t_hi - t_lo:+.2f} s (ratio {t_hi / t_lo:.2f})')
    return '\n'.join(lines)


@cli_main
def main(argv=None) -> int:
    """``tools/analysis/benchmark_resume.py``; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--iters', type=int, nargs='+', default=[100, 10000],
                        help='iterations to resume at')
    parser.add_argument('--loop', choices=['mmdfkd', 'mmengine', 'both'],
                        default='both')
    parser.add_argument('--repeats', type=int, default=1,
                        help='timings per setting and iteration (median)')
    parser.add_argument('--work-dir', default=None,
                        help='where the checkpoints and runs go; a '
                        'temporary folder by default')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={})
    args = parser.parse_args(argv)
    if min(args.iters) < 1 or args.repeats < 1:
        parser.error('--iters and --repeats must be positive')
    register_all_modules()
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    settings = list(SETTINGS) if args.loop == 'both' else [args.loop]
    with tempfile.TemporaryDirectory() as tmp:
        work_dir = args.work_dir or tmp
        cfg = _benchmark_cfg(cfg, work_dir)
        paths = _checkpoint_at(cfg, sorted(set(args.iters)), work_dir)
        rows = []
        for setting in settings:
            for n in sorted(paths):
                runs = [_start_up(cfg, setting, paths[n], n, work_dir, i)
                        for i in range(args.repeats)]
                rows.append((setting, n,
                             statistics.median(s for s, _ in runs),
                             runs[-1][1]))
                print(f'{setting} at {n}: {rows[-1][2]:.2f} s', flush=True)
    print(format_table(rows))
    return 0
