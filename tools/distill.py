"""Distil a classifier into a student, data-free, in one command.

    python tools/distill.py TEACHER --student STUDENT --method METHOD \
        [--teacher-checkpoint PATH] [--val-data DIR] [--iters N] \
        [--work-dir DIR] [--dry-run] [--cfg-options k=v ...]

e.g. ``python tools/distill.py resnet34_8xb16_cifar10 --student
resnet18_8xb16_cifar10 --method fast --val-data data/cifar10``. The logic
is :mod:`mmdfkd.apis.distill`.
"""
import sys

from mmdfkd.apis.distill import main

if __name__ == '__main__':
    sys.exit(main())
