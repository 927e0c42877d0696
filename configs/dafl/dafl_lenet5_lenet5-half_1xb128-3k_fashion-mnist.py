# DAFL, LeNet-5 -> LeNet-5-Half on Fashion-MNIST (32x32), sized for a 2-core
# CPU (published anchor: ZSKD 79.62 with a 90.84 teacher): the digits config
# with Fashion-MNIST's data, teacher and 3k iterations. First train the
# teacher:
#   python tools/train.py configs/teachers/teacher_lenet5_fashion-mnist.py
_base_ = [
    './_base_dafl_lenet5_lenet5-half.py',
    '../_base_/datasets/fashion_mnist.py'
]
model = dict(
    teacher=dict(
        checkpoint='work_dirs/teacher_lenet5_fashion-mnist/weights.pth'),
    data_preprocessor=dict(mean=_base_.fashion_mnist_mean,
                           std=_base_.fashion_mnist_std))
train_cfg = dict(max_iters=3000)
default_hooks = dict(teacher_check=dict(min_top1=80.0))
