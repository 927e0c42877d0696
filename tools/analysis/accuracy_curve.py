"""Accuracy against wall time of finished runs, as a PNG.

    python tools/analysis/accuracy_curve.py NAME=WORK_DIR [...] --out PNG

The logic lives in :mod:`mmdfkd.analysis.accuracy_curve`.
"""
import sys

from mmdfkd.analysis.accuracy_curve import main

if __name__ == '__main__':
    sys.exit(main())
