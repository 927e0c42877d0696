"""Report how diverse a trained generator's samples are (mode collapse).

    python tools/analysis/generator_diversity.py CONFIG \
        [--generator-checkpoint PATH] [--teacher-checkpoint PATH] \
        [--num 2000] [--mode eval|train] [--batch-size N] [--seed 0] \
        [--device cpu] [--json OUT] [--cfg-options k=v ...]

The logic lives in :mod:`mmdfkd.analysis.generator_diversity`.
"""
import sys

from mmdfkd.analysis.generator_diversity import main

if __name__ == '__main__':
    sys.exit(main())
