"""The offline digits demo: teacher, DAFL and DFAD students, one table.

    python tools/demo.py [--work-dir work_dirs/demo] [--no-amp]

Trains the LeNet-5 teacher on scikit-learn digits, distils a LeNet-5-Half
student with DAFL and with DFAD (no real training image is read), prints a
teacher-vs-student table and writes ``{work_dir}/summary.json``::

    {"teacher": {"top1": 99.4, "seconds": 25},
     "students": {"dafl": {"top1": 95.1, "seconds": 210}, "dfad": {...}}}

Accuracies are top-1 in % on the digits test split (the final model of each
run, no best-checkpoint selection).
"""
import argparse
import json
import os
import os.path as osp

from mmdfkd.apis import cli_main
from .run_logs import last_metric, train_subprocess

TEACHER = 'configs/teachers/teacher_lenet5_digits.py'
STUDENTS = {
    'dafl': 'configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py',
    'dfad': 'configs/dfad/dfad_lenet5_lenet5-half_1xb128-1k_digits.py',
}


@cli_main
def main(argv=None) -> int:
    """``tools/demo.py``; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument(
        '--no-amp', action='store_true',
        help='distil in float32 (default: bfloat16 autocast)')
    args = parser.parse_args(argv)
    work_dir = osp.abspath(args.work_dir)
    os.makedirs(work_dir, exist_ok=True)

    teacher_dir = osp.join(work_dir, 'teacher')
    summary = dict(teacher=dict(seconds=train_subprocess(TEACHER,
                                                         teacher_dir)))
    summary['teacher']['top1'] = round(last_metric(teacher_dir), 2)
    print(f'teacher: {summary["teacher"]["top1"]:.2f}%', flush=True)

    weights = osp.join(teacher_dir, 'weights.pth')
    extra = ['--cfg-options', f'model.teacher.checkpoint={weights}']
    if not args.no_amp:
        extra = ['--amp'] + extra
    summary['students'] = {}
    for method, config in STUDENTS.items():
        run_dir = osp.join(work_dir, method)
        seconds = train_subprocess(config, run_dir, extra)
        summary['students'][method] = dict(
            top1=round(last_metric(run_dir), 2), seconds=seconds)
        print(f'{method}: {summary["students"][method]["top1"]:.2f}%',
              flush=True)

    rows = [('teacher LeNet-5', summary['teacher'])] + [
        (f'{m.upper()} LeNet-5-Half', r)
        for m, r in summary['students'].items()
    ]
    print('\n| model | top-1 (%) | wall time (s) |\n|---|---|---|')
    for name, r in rows:
        print(f'| {name} | {r["top1"]:.2f} | {r["seconds"]:.0f} |')
    path = osp.join(work_dir, 'summary.json')
    with open(path, 'w') as f:
        json.dump(summary, f, indent=2)
    print(f'\nsummary written to {path}')
    return 0
