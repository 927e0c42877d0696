# SpaceshipNet on Fashion-MNIST (32x32): the digits config with
# Fashion-MNIST's data and teacher. First train the teacher:
#   python tools/train.py configs/teachers/teacher_lenet5-bn_fashion-mnist.py \
#       --cfg-options randomness.seed=1 \
#       --work-dir work_dirs/teacher_lenet5-bn_fashion-mnist_seed1
_base_ = [
    './_base_spaceshipnet_lenet5-bn_lenet5-half.py',
    '../_base_/datasets/fashion_mnist.py'
]
norm = dict(mean=_base_.fashion_mnist_mean, std=_base_.fashion_mnist_std)
model = dict(
    teacher=dict(checkpoint='work_dirs/teacher_lenet5-bn_fashion-mnist_seed1/'
                 'weights.pth'),
    student=dict(data_preprocessor=norm),
    data_preprocessor=norm)
default_hooks = dict(teacher_check=dict(min_top1=80.0))
