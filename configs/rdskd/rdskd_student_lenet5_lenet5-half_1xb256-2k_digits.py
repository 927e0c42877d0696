# RDSKD stage 3 (of 3): LeNet-5 -> LeNet-5-Half by KD on images of the
# frozen stage-2 generator, on scikit-learn digits (32x32). Sized for a
# 2-core CPU (_base_rdskd_student_lenet5_lenet5-half.py). First run stage 2:
#   python tools/train.py \
#       configs/rdskd/rdskd_generator_lenet5_1xb256-600_digits.py
_base_ = [
    './_base_rdskd_student_lenet5_lenet5-half.py',
    '../_base_/datasets/digits.py'
]
model = dict(
    teacher=dict(checkpoint='work_dirs/teacher_lenet5_digits/weights.pth'),
    generator_checkpoint=(
        'work_dirs/rdskd_generator_lenet5_1xb256-600_digits/generator.pth'),
    data_preprocessor=dict(mean=_base_.digits_mean, std=_base_.digits_std))
default_hooks = dict(teacher_check=dict(min_top1=90.0))
