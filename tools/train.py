"""Train a data-free KD algorithm (or a teacher) from an mmdfkd config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]]
                                 [--amp | --no-amp] [--cfg-options k=v ...]
                                 [--launcher pytorch]

The logic lives in :mod:`mmdfkd.apis.train`.
"""
import sys

from mmdfkd.apis.train import main

if __name__ == '__main__':
    sys.exit(main())
