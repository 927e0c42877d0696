"""Evaluate a checkpoint with an mmdfkd config (the student, on real data).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
                         [--cfg-options k=v ...] [--launcher pytorch]

The logic lives in :mod:`mmdfkd.apis.test`.
"""
import sys

from mmdfkd.apis.test import main

if __name__ == '__main__':
    sys.exit(main())
