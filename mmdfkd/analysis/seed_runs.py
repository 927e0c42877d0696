"""Teacher + distillation runs over several seeds, as mean ± std.

    python tools/analysis/seed_runs.py \
        --teacher configs/teachers/teacher_lenet5_fashion-mnist.py \
        --method dafl=configs/dafl/<DAFL fashion-mnist config> \
        --method dfad=configs/dfad/<DFAD fashion-mnist config> \
        --seeds 0 1 2 --amp --work-dir work_dirs/seeds_fashion-mnist

For every seed, trains the teacher (``randomness.seed=S``), then each method
against that teacher with the same seed. Prints a markdown table (top-1 of
the final model, mean ± std over seeds, and wall time per run) and writes
``{work_dir}/seed_runs.json``. ``--teacher-checkpoint`` skips teacher
training and uses one teacher for every seed; ``--reuse-teachers`` reuses
the teachers an earlier call wrote under the same ``--work-dir``; with
neither ``--teacher`` nor ``--teacher-checkpoint`` the configs' own teachers
are used (e.g. CDFKD-MFS's three).

A method given as ``NAME=STAGE1,STAGE2`` runs its configs one after the
other (RDSKD: generator, then student); a stage that writes
``generator.pth`` hands it to the next as ``model.generator_checkpoint``.
The wall time of every stage is reported.
"""
import argparse
import json
import os.path as osp
import statistics

from mmdfkd.apis import cli_main
from .run_logs import (RECORD_ANY_STUDENT, last_metric, run_chain,
                       train_subprocess)


def fmt(value) -> str:
    return 'n/a' if value is None else f'{value:.2f}'


def mean_std(values, digits: int = 2) -> str:
    """``'mean ± std'`` (one value: itself; none: ``'n/a'``)."""
    values = [v for v in values if v is not None]  # a run logged no top-1
    if not values:
        return 'n/a'
    if len(values) == 1:
        return f'{values[0]:.{digits}f}'
    return (f'{statistics.mean(values):.{digits}f} ± '
            f'{statistics.stdev(values):.{digits}f}')


@cli_main
def main(argv=None) -> int:
    """``tools/analysis/seed_runs.py``; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--teacher', help='teacher-training config')
    parser.add_argument('--teacher-checkpoint', help='use this teacher')
    parser.add_argument('--reuse-teachers', action='store_true',
                        help='reuse {work_dir}/seedS/teacher/weights.pth')
    parser.add_argument('--method', action='append', required=True,
                        help='NAME=CONFIG (repeatable)')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--amp', action='store_true')
    parser.add_argument('--work-dir', required=True)
    parser.add_argument('--cfg-options', nargs='*', default=[],
                        help='extra k=v overrides for the method runs')
    args = parser.parse_args(argv)
    methods = dict(m.split('=', 1) for m in args.method)
    results = dict(teacher=[], **{m: [] for m in methods})
    for seed in args.seeds:
        seed_dir = osp.join(args.work_dir, f'seed{seed}')
        weights = args.teacher_checkpoint
        tdir = osp.join(seed_dir, 'teacher')
        if args.reuse_teachers and osp.isfile(
                osp.join(tdir, 'weights.pth')):
            weights = osp.join(tdir, 'weights.pth')
            results['teacher'].append(
                dict(seed=seed, top1=last_metric(tdir), seconds=0.0))
        elif weights is None and args.teacher:
            secs = train_subprocess(
                args.teacher, tdir, ['--cfg-options',
                                     f'randomness.seed={seed}'])
            results['teacher'].append(
                dict(seed=seed, top1=last_metric(tdir), seconds=secs))
            weights = osp.join(tdir, 'weights.pth')
        for name, configs in methods.items():
            options = [f'randomness.seed={seed}', RECORD_ANY_STUDENT,
                       *args.cfg_options]
            if weights is not None:
                options.append(
                    f'model.teacher.checkpoint={osp.abspath(weights)}')
            top1, stages = run_chain(configs.split(','),
                                     osp.join(seed_dir, name), options,
                                     args.amp)
            results[name].append(
                dict(seed=seed, top1=top1, seconds=round(sum(stages), 1),
                     stage_seconds=stages))
            print(f'seed {seed} {name}: {fmt(results[name][-1]["top1"])}%',
                  flush=True)
    print('\n| model | top-1 (%) mean ± std | per seed | wall time per run '
          '(s) | per stage (s) |\n|---|---|---|---|---|')
    for name, runs in results.items():
        if not runs:
            continue
        accs = [r['top1'] for r in runs]
        secs = [r['seconds'] for r in runs]
        print(f'| {name} | {mean_std(accs)} | '
              + ', '.join(fmt(a) for a in accs) +
              f' | {statistics.mean(secs):.0f} | ' + ' + '.join(
                  f'{statistics.mean(st):.0f}' for st in zip(
                      *[r.get('stage_seconds', [r['seconds']])
                        for r in runs])) + ' |')
    path = osp.join(args.work_dir, 'seed_runs.json')
    with open(path, 'w') as f:
        json.dump(dict(seeds=args.seeds, amp=args.amp, methods=methods,
                       results=results), f, indent=2)
    print(f'\nwritten to {path}')
    return 0
