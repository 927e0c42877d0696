"""Teacher + distillation runs over several seeds, as mean ± std.

    python tools/analysis/seed_runs.py \
        --teacher configs/teachers/teacher_lenet5_fashion-mnist.py \
        --method dafl=configs/dafl/<DAFL fashion-mnist config> \
        --method dfad=configs/dfad/<DFAD fashion-mnist config> \
        --seeds 0 1 2 --amp --work-dir work_dirs/seeds_fashion-mnist

Run from the repository root. Writes ``{work_dir}/seed_runs.json``. The logic
lives in :mod:`mmdfkd.analysis.seed_runs`.
"""
import sys

from mmdfkd.analysis.seed_runs import main

if __name__ == '__main__':
    sys.exit(main())
