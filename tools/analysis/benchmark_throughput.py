"""Training throughput of a DFKD algorithm against the official loop.

    python tools/analysis/benchmark_throughput.py CONFIG [--device cpu|cuda]
        [--amp] [--channels-last] [--compile] [--iters N] [--warmup W]
        [--rounds R] [--batch-size B] [--frozen-reference] [--seed S]
        [--cfg-options KEY=VALUE ...]
    SCRIPT=tools/analysis/benchmark_throughput.py \
        tools/dist_train.sh CONFIG 2 [...]

The settings, the table and the reference loops are described in
:mod:`mmdfkd.analysis.benchmark_throughput`, where the logic lives.
"""
import sys

from mmdfkd.analysis.benchmark_throughput import main

if __name__ == '__main__':
    sys.exit(main())
