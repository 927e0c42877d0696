"""The offline digits demo: the three core methods and the best baseline,
each against its teacher, in one table.

    python tools/demo.py [--work-dir work_dirs/demo] [--jobs 2] \
        [--amp | --no-amp]

On scikit-learn digits (embedded, nothing downloaded) it trains the
teachers (LeNet-5, and LeNet-5-BN with seeds 1, 2, 3 for the multi-teacher
method), then distils a LeNet-5-Half student with CGDD, RDSKD (generator
stage, then student stage), CDFKD-MFS (three teachers, one 3-header
student) and Fast-5, the best baseline per CPU-second: the ``demo`` suite of
:mod:`mmdfkd.analysis.benchmark`, seed 0. No distillation run reads a real
training image. ``--jobs`` runs that many trainings at once (default 2,
the cores of the reference machine; more than one: one thread each).
The runs compute in the configs' precision, bfloat16 autocast where the
CPU has native bfloat16 (AVX512-BF16 / AMX) and float32 elsewhere
(``--amp`` forces bfloat16, ``--no-amp`` float32); the table says which.

Prints the table the README shows and writes ``{work_dir}/summary.json``
(the suite's ``results.json``: each student's top-1, its teacher's top-1 as
its run measured it (CDFKD-MFS: the three teachers' ensemble, mean
logits), the ratio and the wall time; the teachers' top-1 and time).
Accuracies are top-1 in % on the digits test split (540 images), of the
final model of each run (no best-checkpoint selection).
"""
import argparse
import json
import os.path as osp

from mmdfkd.apis import cli_main
from .benchmark import Suite, add_precision_args, precision_arg, table


@cli_main
def main(argv=None) -> int:
    """``tools/demo.py``; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument(
        '--jobs', type=int, default=2,
        help='trainings at once, one thread each when more than 1 '
        '(default 2)')
    add_precision_args(parser)
    args = parser.parse_args(argv)
    suite = Suite('demo', args.work_dir, jobs=args.jobs,
                  amp=precision_arg(args))
    results = suite.run()
    print('\n' + table(results))
    path = osp.join(suite.work_dir, 'summary.json')
    with open(path, 'w') as f:
        json.dump(results, f, indent=2)
    print(f'\nsummary written to {path}')
    return 0
