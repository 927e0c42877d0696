"""Run ``tools/train.py`` as a subprocess and read what the run logged.

Shared by ``tools/demo.py``, ``tools/analysis/seed_runs.py`` and the tests.
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import Optional, Sequence

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def last_metric(work_dir: str, key: str = 'accuracy/top1') -> Optional[float]:
    """The last value of ``key`` in the newest run's ``scalars.json``."""
    logs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                     'scalars.json')))
    value = None
    for log in logs[-1:]:
        with open(log) as f:
            for line in f:
                value = json.loads(line).get(key, value)
    return value


def train_subprocess(config: str,
                     work_dir: str,
                     extra: Sequence[str] = (),
                     root: str = ROOT) -> float:
    """Run ``tools/train.py config --work-dir work_dir *extra`` with its
    output in ``work_dir/stdout.log``; return the wall time in seconds.

    Raises:
        RuntimeError: the run failed; the message holds its last lines.
    """
    os.makedirs(work_dir, exist_ok=True)
    cmd = [sys.executable, osp.join(root, 'tools', 'train.py'), config,
           '--work-dir', work_dir, *extra]
    print('$ ' + ' '.join(cmd[1:]), flush=True)
    log_path = osp.join(work_dir, 'stdout.log')
    start = time.time()
    with open(log_path, 'w') as log:
        proc = subprocess.run(cmd, cwd=root, stdout=log,
                              stderr=subprocess.STDOUT)
    seconds = time.time() - start
    if proc.returncode != 0:
        with open(log_path) as f:
            tail = ''.join(f.readlines()[-10:])
        raise RuntimeError(f'{config} failed (exit {proc.returncode}), '
                           f'log: {log_path}\n{tail}')
    return round(seconds, 1)
