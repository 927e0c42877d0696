"""Class-conditional sampling from a trained CGDD generator.

    python tools/generate.py CONFIG CHECKPOINT --class K [K ...] --num N \
        --out DIR [--mode eval|train] [--seed S] [--device cpu|cuda]

CHECKPOINT is the run's ``generator.pth`` or one of its ``iter_*.pth``.
Writes ``DIR/class_K/NNNN.png``, a grid ``DIR/class_K.png`` per class and the
teacher's agreement in ``DIR/fidelity.json``. The logic lives in
:mod:`mmdfkd.apis.generate`.
"""
import sys

from mmdfkd.apis.generate import main

if __name__ == '__main__':
    sys.exit(main())
