# A BN ResNet teacher on Fashion-MNIST (32x32): mmpretrain's ResNet_CIFAR-18
# narrowed to widths 16..128 (_base_/models/resnet_cifar.py), trained like
# teacher_lenet5_fashion-mnist.py for 3 epochs instead of 10 (one thread:
# about 20 CPU-minutes). The second teacher family on Fashion-MNIST; writes
#   work_dirs/teacher_resnet18-narrow_fashion-mnist/weights.pth
_base_ = [
    './teacher_lenet5_fashion-mnist.py', '../_base_/models/resnet_cifar.py'
]
model = dict(_base_.resnet18_cifar_narrow, _delete_=True,
             data_preprocessor=_base_.model.data_preprocessor)
param_scheduler = dict(T_max=3)
train_cfg = dict(max_epochs=3, val_interval=3)
default_hooks = dict(checkpoint=dict(interval=3))
