# DeepInversion, LeNet-5 (BN) -> LeNet-5-Half on scikit-learn digits
# (32x32); the method and its CPU sizing in
# _base_deepinversion_lenet5-bn_lenet5-half.py. First train the teacher
# (seed 1 of its config):
#   python tools/train.py configs/teachers/teacher_lenet5-bn_digits.py \
#       --cfg-options randomness.seed=1 \
#       --work-dir work_dirs/teacher_lenet5-bn_digits_seed1
_base_ = [
    './_base_deepinversion_lenet5-bn_lenet5-half.py',
    '../_base_/datasets/digits.py'
]
norm = dict(mean=_base_.digits_mean, std=_base_.digits_std)
black = [-m / s for m, s in zip(_base_.digits_mean, _base_.digits_std)]
model = dict(
    teacher=dict(
        checkpoint='work_dirs/teacher_lenet5-bn_digits_seed1/weights.pth'),
    student=dict(data_preprocessor=norm),
    # digits are not mirror-symmetric and their teacher never saw a flip:
    # optimising pixels through flipped views too makes ambiguous digits
    # (seed 0, float32: 75.93 % with the flip, 91.30 % without)
    synthesizer=dict(flip=False),
    image_pool=dict(augment=[dict(type='BatchRandomCrop', padding=4,
                                  fill=black),
                             dict(type='BatchRandomFlip')]),
    data_preprocessor=norm)
