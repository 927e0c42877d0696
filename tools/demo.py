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
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TEACHER = 'configs/teachers/teacher_lenet5_digits.py'
STUDENTS = {
    'dafl': 'configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py',
    'dfad': 'configs/dfad/dfad_lenet5_lenet5-half_1xb128-1k_digits.py',
}


def last_top1(work_dir: str) -> float:
    """The last ``accuracy/top1`` the run logged."""
    logs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                     'scalars.json')))
    if not logs:
        raise RuntimeError(f'no scalars.json under {work_dir}')
    top1 = None
    with open(logs[-1]) as f:
        for line in f:
            record = json.loads(line)
            if 'accuracy/top1' in record:
                top1 = record['accuracy/top1']
    if top1 is None:
        raise RuntimeError(f'{logs[-1]} has no accuracy/top1')
    return round(top1, 2)


def train(config: str, work_dir: str, extra: list) -> float:
    """Run tools/train.py; return its wall time in seconds."""
    cmd = [sys.executable, 'tools/train.py', config, '--work-dir', work_dir]
    print('$ ' + ' '.join(cmd + extra), flush=True)
    start = time.time()
    with open(osp.join(work_dir, 'stdout.log'), 'w') as log:
        proc = subprocess.run(cmd + extra, cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(osp.join(work_dir, 'stdout.log')) as f:
            tail = f.readlines()[-15:]
        sys.stderr.write(''.join(tail))
        raise SystemExit(f'{config} failed (exit {proc.returncode}); full '
                         f'log: {osp.join(work_dir, "stdout.log")}')
    return round(time.time() - start, 1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument(
        '--no-amp', action='store_true',
        help='distil in float32 (default: bfloat16 autocast)')
    args = parser.parse_args(argv)
    work_dir = osp.join(ROOT, args.work_dir)
    os.makedirs(work_dir, exist_ok=True)

    teacher_dir = osp.join(work_dir, 'teacher')
    os.makedirs(teacher_dir, exist_ok=True)
    summary = dict(teacher=dict(seconds=train(TEACHER, teacher_dir, [])))
    summary['teacher']['top1'] = last_top1(teacher_dir)
    print(f'teacher: {summary["teacher"]["top1"]:.2f}%', flush=True)

    weights = osp.join(teacher_dir, 'weights.pth')
    extra = ['--cfg-options', f'model.teacher.checkpoint={weights}']
    if not args.no_amp:
        extra = ['--amp'] + extra
    summary['students'] = {}
    for method, config in STUDENTS.items():
        run_dir = osp.join(work_dir, method)
        os.makedirs(run_dir, exist_ok=True)
        seconds = train(config, run_dir, extra)
        summary['students'][method] = dict(
            top1=last_top1(run_dir), seconds=seconds)
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


if __name__ == '__main__':
    sys.exit(main())
