# DAFL, LeNet-5 -> LeNet-5-Half on scikit-learn digits (32x32), the demo;
# method and CPU sizing in _base_dafl_lenet5_lenet5-half.py. First train the
# teacher:
#   python tools/train.py configs/teachers/teacher_lenet5_digits.py
_base_ = [
    './_base_dafl_lenet5_lenet5-half.py', '../_base_/datasets/digits.py'
]
model = dict(
    teacher=dict(checkpoint='work_dirs/teacher_lenet5_digits/weights.pth'),
    data_preprocessor=dict(mean=_base_.digits_mean, std=_base_.digits_std))
default_hooks = dict(teacher_check=dict(min_top1=90.0))
