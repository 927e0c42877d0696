"""Accuracy against wall time of finished runs, as a PNG.

    python tools/analysis/accuracy_curve.py NAME=WORK_DIR [NAME=WORK_DIR ...] \
        --out docs/accuracy_time.png [--title TITLE]

Reads each run's log (the newest ``WORK_DIR/<timestamp>/<timestamp>.log``):
the wall time of every validation since the log's first line, and its
top-1. The last point is the final checkpoint's accuracy.
"""
import argparse
import glob
import os.path as osp
import re
from datetime import datetime
from typing import Dict, List, Tuple

from mmdfkd.apis import cli_main
from mmdfkd.utils import DFKDInputError

_STAMP = re.compile(r'^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) - mmengine')
_TOP1 = re.compile(r'Iter\(val\).*accuracy/top1: ([0-9.]+)')


def accuracy_over_time(work_dir: str) -> List[Tuple[float, float]]:
    """``[(seconds since the run's start, top-1), ...]`` of one run."""
    logs = sorted(glob.glob(osp.join(work_dir, '*', '*.log')))
    if not logs:
        raise DFKDInputError(
            f'no run log under {work_dir}. Fix: give the --work-dir of a '
            'finished tools/train.py run.')
    points, start, last_val = [], None, None
    with open(logs[-1]) as f:
        for line in f:
            stamp = _STAMP.match(line)
            if not stamp:
                continue
            t = datetime.strptime(stamp.group(1), '%Y/%m/%d %H:%M:%S')
            start = start or t
            top1 = _TOP1.search(line)
            if top1:
                seconds = (t - start).total_seconds()
                if last_val is not None and seconds == last_val[0]:
                    points.pop()  # the final val repeated by the last iter
                last_val = (seconds, float(top1.group(1)))
                points.append(last_val)
    return points


def plot(runs: Dict[str, str], out: str, title: str = '') -> None:
    """One curve per run, written to ``out``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, work_dir in runs.items():
        pts = accuracy_over_time(work_dir)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker='o',
                label=f'{name} ({pts[-1][1]:.2f} %)')
    ax.set_xlabel('wall time (s)')
    ax.set_ylabel('student top-1 (%)')
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=100)


@cli_main
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='+', help='NAME=WORK_DIR')
    parser.add_argument('--out', required=True)
    parser.add_argument('--title', default='')
    args = parser.parse_args(argv)
    runs = {}
    for item in args.runs:
        if '=' not in item:
            raise DFKDInputError(
                f'{item!r} is not NAME=WORK_DIR. Fix: e.g. fast=work_dirs/'
                'fast_fmnist.')
        name, work_dir = item.split('=', 1)
        runs[name] = work_dir
    plot(runs, args.out, args.title)
    print(f'written: {args.out}')
    return 0
