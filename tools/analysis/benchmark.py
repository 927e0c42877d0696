"""A named benchmark suite (digits / fashion-mnist /
digits-resnet / fashion-mnist-resnet / demo): teachers, every
method x seeds, results.md + results.json + accuracy_time.png.

    python tools/analysis/benchmark.py --suite digits --seeds 0 1 2

The logic lives in :mod:`mmdfkd.analysis.benchmark`.
"""
import sys

from mmdfkd.analysis.benchmark import main

if __name__ == '__main__':
    sys.exit(main())
