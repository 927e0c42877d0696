# RDSKD stage 2 (of 3) on Fashion-MNIST (32x32): the digits config with
# Fashion-MNIST's teacher and data. Stage 1:
#   python tools/train.py configs/teachers/teacher_lenet5_fashion-mnist.py
_base_ = [
    './_base_rdskd_generator_lenet5.py',
    '../_base_/datasets/fashion_mnist.py'
]
model = dict(
    teacher=dict(
        checkpoint='work_dirs/teacher_lenet5_fashion-mnist/weights.pth'),
    data_preprocessor=dict(mean=_base_.fashion_mnist_mean,
                           std=_base_.fashion_mnist_std))
val_dataloader = val_evaluator = test_dataloader = test_evaluator = None
default_hooks = dict(
    teacher_check=dict(min_top1=80.0, dataloader=_base_.test_dataloader))
