"""Student accuracy over a hyper-parameter grid, methods side by side.

    G=configs/rdskd/rdskd_generator_lenet5_1xb256-600_digits.py
    S=configs/rdskd/rdskd_student_lenet5_lenet5-half_1xb256-2k_digits.py
    D=configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py
    python tools/analysis/robustness_sweep.py \
        --method rdskd=$G,$S --method dafl=$D \
        --lr-g 1e-3 1e-2 --latent-dim 64 100 --batch-size 128 256 \
        --teacher-checkpoint work_dirs/teacher_lenet5_digits/weights.pth \
        --seed 0 --amp --work-dir work_dirs/robustness_digits \
        [--iters-scale 0.5] [--cfg-options k=v ...] [--resume]

Run from the repository root. Writes ``{work_dir}/results.json`` and
``{work_dir}/robustness.md``. The logic lives in
:mod:`mmdfkd.analysis.robustness_sweep`.
"""
import sys

from mmdfkd.analysis.robustness_sweep import main

if __name__ == '__main__':
    sys.exit(main())
