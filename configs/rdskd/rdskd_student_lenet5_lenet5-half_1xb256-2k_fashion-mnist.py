# RDSKD stage 3 (of 3) on Fashion-MNIST (32x32): the digits config with
# Fashion-MNIST's teacher, stage-2 generator and data. First run stage 2:
#   python tools/train.py \
#       configs/rdskd/rdskd_generator_lenet5_1xb256-600_fashion-mnist.py
_base_ = [
    './_base_rdskd_student_lenet5_lenet5-half.py',
    '../_base_/datasets/fashion_mnist.py'
]
model = dict(
    teacher=dict(
        checkpoint='work_dirs/teacher_lenet5_fashion-mnist/weights.pth'),
    generator_checkpoint=('work_dirs/rdskd_generator_lenet5_1xb256-600_'
                          'fashion-mnist/generator.pth'),
    data_preprocessor=dict(mean=_base_.fashion_mnist_mean,
                           std=_base_.fashion_mnist_std))
default_hooks = dict(teacher_check=dict(min_top1=80.0))
