"""Run ``tools/train.py`` as a subprocess and read what the run logged.

Shared by :mod:`~mmdfkd.analysis.demo`, :mod:`~mmdfkd.analysis.seed_runs`,
:mod:`~mmdfkd.analysis.robustness_sweep` and the tests. The runs start
``tools/train.py`` of the repository they are given (``root``), by default
the working directory: the tools are run from the repository root.
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import List, Optional, Sequence, Tuple

from mmdfkd.utils import DFKDInputError


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
                     root: Optional[str] = None) -> float:
    """Run ``tools/train.py config --work-dir work_dir *extra`` in ``root``
    (default: the working directory) with its output in
    ``work_dir/stdout.log``; return the wall time in seconds.

    Raises:
        DFKDInputError: ``root`` holds no ``tools/train.py``.
        RuntimeError: the run failed; the message holds its last lines.
    """
    root = root or os.getcwd()
    script = osp.join(root, 'tools', 'train.py')
    if not osp.isfile(script):
        raise DFKDInputError(
            f'{script} not found. Fix: run the tool from the root of the '
            'mmdfkd repository (the folder holding tools/ and configs/).')
    os.makedirs(work_dir, exist_ok=True)
    cmd = [sys.executable, script, config, '--work-dir', work_dir, *extra]
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


#: The batch tools record every seed's number: a final student at chance
#: is a warning in its log there, not a failed run (StudentCheckHook).
RECORD_ANY_STUDENT = 'default_hooks.student_check.fail=False'


def run_chain(
        configs: Sequence[str],
        work_dir: str,
        options: Sequence[str] = (),
        amp: bool = False,
        stage_options: Optional[Sequence[Sequence[str]]] = None,
        root: Optional[str] = None,
        no_amp: bool = False) -> Tuple[Optional[float], List[float]]:
    """Train a method's configs one after the other (RDSKD: generator, then
    student) with :func:`train_subprocess`.

    Stage ``k`` runs in ``work_dir`` (``k = 0``) or ``{work_dir}-{k}``. A
    stage that writes ``generator.pth`` hands it to the next stage as
    ``model.generator_checkpoint``.

    Args:
        configs (Sequence[str]): Config paths, in order.
        work_dir (str): Work dir of the first stage.
        options (Sequence[str]): ``k=v`` overrides for every stage.
        amp (bool): Pass ``--amp`` (bfloat16 autocast, forced). Defaults
            to False.
        stage_options (Sequence[Sequence[str]], optional): Extra overrides
            per stage (one list per config), after ``options``.
        root (str, optional): The repository to run in. Defaults to the
            working directory.
        no_amp (bool): Pass ``--no-amp`` (float32). Defaults to False;
            neither: the configs' own precision (bfloat16 where the device
            computes it natively).

    Returns:
        tuple: Top-1 of the last stage (None if it logged none) and the
        wall time of every stage in seconds.

    Raises:
        RuntimeError: a stage failed (from :func:`train_subprocess`).
    """
    if amp and no_amp:
        raise ValueError('run_chain: amp and no_amp exclude each other')
    if stage_options is not None and len(stage_options) != len(configs):
        raise ValueError('stage_options needs one list per config')
    seconds, generator, stage_dir = [], None, work_dir
    for k, config in enumerate(configs):
        stage_dir = work_dir if k == 0 else f'{work_dir}-{k}'
        opts = [*options, *(stage_options[k] if stage_options else ())]
        if generator is not None:
            opts.append(f'model.generator_checkpoint={generator}')
        extra = (['--amp'] if amp else ['--no-amp'] if no_amp else []) + (
            ['--cfg-options', *opts] if opts else [])
        seconds.append(train_subprocess(config, stage_dir, extra, root))
        generator = osp.abspath(osp.join(stage_dir, 'generator.pth'))
        generator = generator if osp.isfile(generator) else None
    return last_metric(stage_dir), seconds
