# CDFKD-MFS on Fashion-MNIST (32x32): the digits config with Fashion-MNIST's
# three teachers and data. First train the teachers (one config, seeds 1, 2,
# 3; see its header):
#   configs/teachers/teacher_lenet5-bn_fashion-mnist.py
_base_ = [
    './_base_cdfkd-mfs_3xlenet5_mh-lenet5-half.py',
    '../_base_/datasets/fashion_mnist.py'
]
teacher_dir = 'work_dirs/teacher_lenet5-bn_fashion-mnist_seed'
norm = dict(mean=_base_.fashion_mnist_mean, std=_base_.fashion_mnist_std)
model = dict(
    teachers=dict(
        t1=dict(checkpoint=teacher_dir + '1/weights.pth'),
        t2=dict(checkpoint=teacher_dir + '2/weights.pth'),
        t3=dict(checkpoint=teacher_dir + '3/weights.pth')),
    student=dict(data_preprocessor=norm),
    data_preprocessor=norm)
val_evaluator = [
    dict(type='mmpretrain.Accuracy', topk=(1, )),  # mean of the headers
    dict(type='HeaderAccuracy'),                   # each header alone
]
test_evaluator = val_evaluator
default_hooks = dict(teacher_check=dict(min_top1=80.0))
