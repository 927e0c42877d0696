# SpaceshipNet, LeNet-5 (BN) -> LeNet-5-Half on scikit-learn digits
# (32x32); the method and its CPU sizing in
# _base_spaceshipnet_lenet5-bn_lenet5-half.py. First train the teacher
# (seed 1 of its config):
#   python tools/train.py configs/teachers/teacher_lenet5-bn_digits.py \
#       --cfg-options randomness.seed=1 \
#       --work-dir work_dirs/teacher_lenet5-bn_digits_seed1
_base_ = [
    './_base_spaceshipnet_lenet5-bn_lenet5-half.py',
    '../_base_/datasets/digits.py'
]
norm = dict(mean=_base_.digits_mean, std=_base_.digits_std)
model = dict(
    teacher=dict(
        checkpoint='work_dirs/teacher_lenet5-bn_digits_seed1/weights.pth'),
    student=dict(data_preprocessor=norm),
    data_preprocessor=norm)
