"""A named benchmark suite: teachers, every method x seeds, one results
table and an accuracy-vs-wall-time plot.

    python tools/analysis/benchmark.py --suite digits --seeds 0 1 2 \
        [--methods cgdd fast ...] [--jobs 2] [--reuse] [--amp | --no-amp] \
        [--work-dir work_dirs/benchmark_digits]

Suites: ``digits`` and ``fashion-mnist`` (every method with a LeNet config:
LeNet-5 / LeNet-5-BN teachers -> LeNet-5-Half), ``digits-resnet`` and
``fashion-mnist-resnet`` (the second teacher family: mmpretrain's
``ResNet_CIFAR``-18 narrowed, the methods with a ``*_resnet18-narrow_*``
config) and ``demo`` (what
``tools/demo.py`` runs: the three core methods and the best baseline on
digits). The teachers are trained once per suite (fixed seeds: LeNet-5,
and LeNet-5-BN with seeds 1, 2, 3; the ResNet with its config's seed, and
seeds 2, 3 for CDFKD-MFS's ensemble); each method runs once per ``--seeds``
value (``randomness.seed``) against its teachers. ``--jobs`` trainings run
at once (more than one: one thread each). ``--reuse`` keeps every run of
the work dir that already finished (its ``result.json``), so an
interrupted suite continues.
The runs compute in the configs' precision (bfloat16 autocast where the
device has native bfloat16, float32 elsewhere) unless ``--amp`` forces
bfloat16 or ``--no-amp`` float32; the table's last line says which.

Writes, in the work dir, ``results.json``, ``results.md`` (printed too:
top-1 of the final checkpoint, mean ± std over seeds, per seed, the
teachers' top-1 as each run measured it before training, the ratio, wall
time per run) and ``accuracy_time.png`` (the first seed's validation
curves, every method one line, from the run logs). ``docs/results.md``
shows this output.
"""
import argparse
import json
import os
import os.path as osp
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Sequence, Tuple

import torch

from mmdfkd.apis import cli_main
from mmdfkd.optim.autocast_optim_wrapper import native_bf16
from mmdfkd.utils import DFKDInputError
from .accuracy_curve import plot
from .run_logs import (RECORD_ANY_STUDENT, last_metric, run_chain,
                       train_subprocess)
from .seed_runs import mean_std

_BN = 'lenet5-bn_seed1'
_MFS_TEACHERS = {f'model.teachers.t{s}.checkpoint': f'lenet5-bn_seed{s}'
                 for s in (1, 2, 3)}


_RN = 'resnet18-narrow'


def teachers(dataset: str) -> Dict[str, Tuple[str, Tuple[str, ...]]]:
    """``name -> (config, cfg-options)`` of a suite's teachers."""
    resnet = f'configs/teachers/teacher_{_RN}_{dataset}.py'
    return {
        'lenet5': (f'configs/teachers/teacher_lenet5_{dataset}.py', ()),
        **{f'lenet5-bn_seed{s}': (
            f'configs/teachers/teacher_lenet5-bn_{dataset}.py',
            (f'randomness.seed={s}', )) for s in (1, 2, 3)},
        _RN: (resnet, ()),
        **{f'{_RN}_seed{s}': (resnet, (f'randomness.seed={s}', ))
           for s in (2, 3)},
    }


def resnet_methods(dataset: str) -> Dict[str, Tuple[str, list]]:
    """:func:`methods` for the ResNet teacher family: the LeNet-5-Half
    students of the ``*_resnet18-narrow_*`` configs. Digits: CGDD, Fast-5,
    DAFL, CDFKD-MFS and RDSKD (DFAD has none: it stayed near chance with
    this teacher); Fashion-MNIST: CGDD and Fast-5."""
    one = {'model.teacher.checkpoint': _RN}
    cgdd_iters = '800' if dataset == 'digits' else '1.2k'
    found = {
        'cgdd': ('CGDD', [(f'configs/cgdd/cgdd_{_RN}_lenet5-half_'
                           f'1xb64-{cgdd_iters}_{dataset}.py', one)]),
        'fast-5': ('Fast-5', [(f'configs/fast/fast-5_{_RN}_lenet5-half_'
                               f'{dataset}.py', one)])}
    if dataset == 'digits':
        found.update({
            'dafl': ('DAFL', [(f'configs/dafl/dafl_{_RN}_lenet5-half_'
                               '1xb128-2k_digits.py', one)]),
            'cdfkd_mfs': ('CDFKD-MFS (3 teachers)', [(
                f'configs/cdfkd_mfs/cdfkd-mfs_3x{_RN}_mh-lenet5-half_'
                '1xb64-900_digits.py', {
                    'model.teachers.t1.checkpoint': _RN,
                    'model.teachers.t2.checkpoint': f'{_RN}_seed2',
                    'model.teachers.t3.checkpoint': f'{_RN}_seed3'})]),
            'rdskd': ('RDSKD', [
                (f'configs/rdskd/rdskd_generator_{_RN}_1xb256-600_digits.py',
                 one),
                (f'configs/rdskd/rdskd_student_{_RN}_lenet5-half_1xb256-2k_'
                 'digits.py', one)])})
    return found


def methods(dataset: str) -> Dict[str, Tuple[str, List[Tuple[str, dict]]]]:
    """``name -> (label, [(stage config, {cfg key: teacher name}), ...])``
    of a LeNet suite: each stage's options name the teachers whose
    ``weights.pth`` it loads; a stage that writes ``generator.pth`` hands
    it to the next (RDSKD)."""
    ds = dataset
    dafl_iters = '2k' if ds == 'digits' else '3k'
    cgdd_iters = '400' if ds == 'digits' else '1.2k'
    mfs_iters = '300' if ds == 'digits' else '3k'
    one = {'model.teacher.checkpoint': _BN}
    plain = {'model.teacher.checkpoint': 'lenet5'}
    pool = {m: (label, [(f'configs/{m.split("-")[0]}/{m}_lenet5-bn_'
                         f'lenet5-half_{ds}.py', one)])
            for m, label in (('dfq', 'DFQ'), ('zskt', 'ZSKT'),
                             ('deepinversion', 'DeepInversion'),
                             ('cmi', 'CMI'), ('fast-5', 'Fast-5'),
                             ('nayer', 'NAYER'),
                             ('spaceshipnet', 'SpaceshipNet'))}
    return {
        'cgdd': ('CGDD', [(f'configs/cgdd/cgdd_lenet5-bn_lenet5-half_'
                           f'1xb64-{cgdd_iters}_{ds}.py', one)]),
        'rdskd': ('RDSKD', [
            (f'configs/rdskd/rdskd_generator_lenet5_1xb256-600_{ds}.py',
             plain),
            (f'configs/rdskd/rdskd_student_lenet5_lenet5-half_1xb256-2k_'
             f'{ds}.py', plain)]),
        'cdfkd_mfs': ('CDFKD-MFS (3 teachers)', [(
            f'configs/cdfkd_mfs/cdfkd-mfs_3xlenet5_mh-lenet5-half_1xb64-'
            f'{mfs_iters}_{ds}.py', _MFS_TEACHERS)]),
        'dafl': ('DAFL', [(f'configs/dafl/dafl_lenet5_lenet5-half_1xb128-'
                           f'{dafl_iters}_{ds}.py', plain)]),
        'dfad': ('DFAD', [(f'configs/dfad/dfad_lenet5_lenet5-half_1xb128-1k_'
                           f'{ds}.py', plain)]),
        **pool,
    }


#: suite -> (dataset, methods, default seeds, teacher family); None: every
#: method of the family.
SUITES = {
    'digits': ('digits', None, (0, 1, 2), 'lenet5'),
    'fashion-mnist': ('fashion-mnist', None, (0, 1, 2), 'lenet5'),
    'digits-resnet': ('digits', None, (0, 1, 2), _RN),
    'fashion-mnist-resnet': ('fashion-mnist', None, (0, 1, 2), _RN),
    # the core methods and the best baseline per CPU-second (Fast-5:
    # 98.46 +- 0.43 % on digits in about 2 CPU-minutes)
    'demo': ('digits', ('cgdd', 'rdskd', 'cdfkd_mfs', 'fast-5'), (0, ),
             'lenet5'),
}


def precision_name(amp: Optional[bool]) -> str:
    """What a suite's distillation runs compute in: ``amp`` True forces
    bfloat16 autocast (``--amp``), False float32 (``--no-amp``), None keeps
    the configs' default (bfloat16 where the device computes it natively,
    else float32: emulated bfloat16 is many times slower)."""
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    if amp is False:
        return 'float32'
    if amp:  # tools/train.py --amp: float16 on GPUs without bfloat16
        return ('float16 autocast, loss scaling (forced)' if device == 'cuda'
                and not native_bf16('cuda') else 'bfloat16 autocast (forced)')
    return ('bfloat16 autocast (native)' if native_bf16(device) else
            f'float32 (no native bfloat16 on this {device})')


def add_precision_args(parser: argparse.ArgumentParser) -> None:
    """``--amp`` / ``--no-amp``; neither: the configs' default."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        '--amp', action='store_true',
        help='force bfloat16 autocast, even where the device emulates it '
        '(default: the configs\' setting, bfloat16 where native)')
    group.add_argument('--no-amp', action='store_true', help='float32')


def precision_arg(args: argparse.Namespace) -> Optional[bool]:
    """The ``amp`` argument of :class:`Suite` from the parsed flags."""
    return True if args.amp else False if args.no_amp else None


def _done(run_dir: str) -> Optional[dict]:
    path = osp.join(run_dir, 'result.json')
    if osp.isfile(path):
        with open(path) as f:
            return json.load(f)
    return None


def _save(run_dir: str, result: dict) -> dict:
    with open(osp.join(run_dir, 'result.json'), 'w') as f:
        json.dump(result, f, indent=2)
    return result


class Suite:
    """The runs of one suite in ``work_dir``; see the module docstring."""

    def __init__(self, suite: str, work_dir: str,
                 method_names: Optional[Sequence[str]] = None,
                 seeds: Optional[Sequence[int]] = None, jobs: int = 2,
                 amp: Optional[bool] = None, reuse: bool = False):
        if suite not in SUITES:
            raise DFKDInputError(
                f'unknown suite {suite!r}. Fix: one of {", ".join(SUITES)}.')
        if jobs < 1:
            raise DFKDInputError(f'--jobs {jobs}. Fix: --jobs 1 or more.')
        self.dataset, default_methods, default_seeds, self.family = \
            SUITES[suite]
        self.all_methods = (methods if self.family == 'lenet5' else
                            resnet_methods)(self.dataset)
        names = list(method_names or default_methods or self.all_methods)
        unknown = [n for n in names if n not in self.all_methods]
        if unknown:
            raise DFKDInputError(
                f'unknown method(s) {", ".join(unknown)}. Fix: choose from '
                f'{", ".join(self.all_methods)}.')
        self.methods = {n: self.all_methods[n] for n in names}
        needed = {t for _, stages in self.methods.values()
                  for _, ts in stages for t in ts.values()}
        self.teachers = {n: c for n, c in teachers(self.dataset).items()
                         if n in needed}
        self.seeds = list(default_seeds if seeds is None else seeds)
        self.work_dir, self.jobs = osp.abspath(work_dir), jobs
        self.amp, self.reuse = amp, reuse
        self.precision = precision_name(amp)

    def _teacher(self, name: str) -> dict:
        run_dir = osp.join(self.work_dir, 'teachers', name)
        if self.reuse and _done(run_dir):
            return _done(run_dir)
        config, options = self.teachers[name]
        extra = ['--cfg-options', *options] if options else []
        seconds = train_subprocess(config, run_dir, extra)
        return _save(run_dir, dict(top1=last_metric(run_dir),
                                   seconds=seconds))

    def run_dir(self, method: str, seed: int) -> str:
        """The first stage's work dir (later stages: ``-1``, ``-2``...)."""
        return osp.join(self.work_dir, method, f'seed{seed}')

    def last_stage_dir(self, method: str, seed: int) -> str:
        k = len(self.methods[method][1]) - 1
        first = self.run_dir(method, seed)
        return first if k == 0 else f'{first}-{k}'

    def _student(self, method: str, seed: int) -> dict:
        last = self.last_stage_dir(method, seed)
        if self.reuse and _done(last):
            return _done(last)
        stages = self.methods[method][1]
        options = [[f'{key}=' + osp.join(self.work_dir, 'teachers', t,
                                         'weights.pth')
                    for key, t in ts.items()] for _, ts in stages]
        top1, seconds = run_chain(
            [config for config, _ in stages], self.run_dir(method, seed),
            [f'randomness.seed={seed}', RECORD_ANY_STUDENT],
            amp=self.amp is True,
            no_amp=self.amp is False, stage_options=options)
        key = 'ensemble_top1' if len(stages[-1][1]) > 1 else 'teacher_top1'
        teacher_top1 = last_metric(last, key)
        if top1 is None or teacher_top1 is None:
            raise DFKDInputError(
                f'{last} logged no accuracy/top1 or {key}. Fix: see its '
                'stdout.log; the run must validate at its last iteration.')
        # unrounded: the table rounds means, not the runs
        return _save(last, dict(
            top1=top1, teacher_top1=teacher_top1,
            ratio=100 * top1 / teacher_top1, seconds=round(sum(seconds), 1),
            stage_seconds=seconds, precision=self.precision))

    def _parallel(self, fn, tasks: List[tuple]) -> List[dict]:
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            futures = [pool.submit(fn, *task) for task in tasks]
            results = []
            for task, future in zip(tasks, futures):
                results.append(future.result())
                print(f'{" ".join(map(str, task))}: '
                      f'{results[-1]["top1"]:.2f}%', flush=True)
        return results

    def run(self) -> dict:
        """Train what is missing; return the results (also written as
        ``results.json``)."""
        os.makedirs(self.work_dir, exist_ok=True)
        if self.jobs > 1:  # one thread per run: the runs share the cores
            os.environ['OMP_NUM_THREADS'] = '1'
        start = time.time()
        names = list(self.teachers)
        results = dict(dataset=self.dataset, seeds=self.seeds,
                       jobs=self.jobs, precision=self.precision,
                       teachers=dict(zip(names, self._parallel(
                           self._teacher, [(n, ) for n in names]))))
        tasks = [(m, s) for s in self.seeds for m in self.methods]
        runs = self._parallel(self._student, tasks)
        results['methods'] = {
            m: dict(label=self.methods[m][0],
                    runs={s: r for (m2, s), r in zip(tasks, runs)
                          if m2 == m})
            for m in self.methods}
        results['seconds'] = round(time.time() - start)
        with open(osp.join(self.work_dir, 'results.json'), 'w') as f:
            json.dump(results, f, indent=2)
        return results

    def plot(self, out: str) -> None:
        """The first seed's accuracy-vs-wall-time curves."""
        seed = self.seeds[0]
        plot({label: self.last_stage_dir(m, seed)
              for m, (label, _) in self.methods.items()}, out,
             f'{self.dataset}, {self.family} teachers, seed {seed}, '
             'LeNet-5-Half students')


def table(results: dict) -> str:
    """The markdown table of a suite's ``results.json`` (no per-seed column
    for one seed)."""
    several = len(results['seeds']) > 1
    per_seed = 'per seed | ' if several else ''
    lines = ['| method | top-1 (%), final | ' + per_seed +
             'teacher top-1 (%) | of the teacher (%) | wall time per run '
             '(s) |', '|---|---|---|---|---|' + ('---|' if several else '')]
    for m in results['methods'].values():
        runs = list(m['runs'].values())
        get = (lambda key: [r[key] for r in runs])
        seeds = ' / '.join(f'{v:.2f}' for v in get('top1'))
        lines.append(
            f'| {m["label"]} | {mean_std(get("top1"))} | '
            + (f'{seeds} | ' if several else '') +
            f'{mean_std(get("teacher_top1"))} | '
            f'{mean_std(get("ratio"), 1)} | '
            f'{statistics.mean(get("seconds")):.0f} |')
    teachers_line = ', '.join(
        f'{n} {r["top1"]:.2f} % ({r["seconds"]:.0f} s)'
        for n, r in results['teachers'].items())
    precision = (f', {results["precision"]}' if 'precision' in results
                 else '')
    lines += ['', f'Teachers: {teachers_line}. Seeds '
              f'{", ".join(map(str, results["seeds"]))}; all runs '
              f'{results["seconds"]:.0f} s, {results["jobs"]} at a time'
              f'{precision}.']
    return '\n'.join(lines)


@cli_main
def main(argv=None) -> int:
    """``tools/analysis/benchmark.py``; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--suite', required=True, choices=list(SUITES))
    parser.add_argument('--methods', nargs='+', help='default: the suite\'s')
    parser.add_argument('--seeds', type=int, nargs='+',
                        help='default: the suite\'s')
    parser.add_argument('--jobs', type=int, default=2,
                        help='trainings at once (more than 1: one thread '
                        'each)')
    parser.add_argument('--reuse', action='store_true',
                        help='keep the finished runs of --work-dir')
    add_precision_args(parser)
    parser.add_argument('--work-dir', help='default: '
                        'work_dirs/benchmark_<suite>')
    args = parser.parse_args(argv)
    suite = Suite(args.suite, args.work_dir or
                  f'work_dirs/benchmark_{args.suite}', args.methods,
                  args.seeds, args.jobs, precision_arg(args), args.reuse)
    results = suite.run()
    text = table(results)
    with open(osp.join(suite.work_dir, 'results.md'), 'w') as f:
        f.write(text + '\n')
    png = osp.join(suite.work_dir, 'accuracy_time.png')
    suite.plot(png)
    print('\n' + text + f'\n\nwritten: {suite.work_dir}/results.md, '
          'results.json, accuracy_time.png')
    return 0
