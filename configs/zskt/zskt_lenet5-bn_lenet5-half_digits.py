# ZSKT, LeNet-5 (BN) -> LeNet-5-Half on scikit-learn digits (32x32); method
# and CPU sizing in _base_zskt_lenet5-bn_lenet5-half.py. First train the
# teacher (seed 1 of its config):
#   python tools/train.py configs/teachers/teacher_lenet5-bn_digits.py \
#       --cfg-options randomness.seed=1 \
#       --work-dir work_dirs/teacher_lenet5-bn_digits_seed1
_base_ = [
    './_base_zskt_lenet5-bn_lenet5-half.py', '../_base_/datasets/digits.py'
]
model = dict(
    teacher=dict(
        checkpoint='work_dirs/teacher_lenet5-bn_digits_seed1/weights.pth'),
    data_preprocessor=dict(mean=_base_.digits_mean, std=_base_.digits_std))
default_hooks = dict(teacher_check=dict(min_top1=90.0))
