"""Time an algorithm's ``train_step`` against a hand-written PyTorch loop.

    python tools/analysis/benchmark_step.py CONFIG [--amp] [--batch-size N]
        [--iters K] [--rounds R] [--device cpu|cuda]

The last line printed is ``step_time_ratio <mmdfkd / reference>``. The logic
lives in :mod:`mmdfkd.analysis.benchmark_step`.
"""
import sys

from mmdfkd.analysis.benchmark_step import main

if __name__ == '__main__':
    sys.exit(main())
