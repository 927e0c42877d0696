# RDSKD stage 2 (of 3): train the generator against the frozen LeNet-5
# teacher on scikit-learn digits (32x32); no student. Sized for a 2-core CPU
# (_base_rdskd_generator_lenet5.py). Stage 1, the teacher:
#   python tools/train.py configs/teachers/teacher_lenet5_digits.py
# Stage 3: rdskd_student_lenet5_lenet5-half_1xb256-2k_digits.py.
_base_ = [
    './_base_rdskd_generator_lenet5.py', '../_base_/datasets/digits.py'
]
model = dict(
    teacher=dict(checkpoint='work_dirs/teacher_lenet5_digits/weights.pth'),
    data_preprocessor=dict(mean=_base_.digits_mean, std=_base_.digits_std))
val_dataloader = val_evaluator = test_dataloader = test_evaluator = None
default_hooks = dict(
    teacher_check=dict(min_top1=90.0, dataloader=_base_.test_dataloader))
