# CGDD, a BN ResNet teacher (mmpretrain ResNet_CIFAR-18 narrowed to widths
# 16..128, 20 BN layers) -> LeNet-5-Half on digits: the LeNet-5-BN config
# with the teacher swapped, no feature-map loss (no teacher stage matches a
# LeNet stage in size), the BN prior averaged over the layers (weight 1) and
# twice the iterations (seed 2: 95.00 % against 88.70 % at 400; README.md).
# First train the teacher:
#   python tools/train.py configs/teachers/teacher_resnet18-narrow_digits.py
_base_ = [
    './cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py',
    '../_base_/models/resnet_cifar.py'
]
max_iters = 800
model = dict(
    teacher=dict(
        model=dict(_base_.resnet18_cifar_narrow, _delete_=True),
        checkpoint='work_dirs/teacher_resnet18-narrow_digits/weights.pth'),
    loss_feat=None,
    loss_bn=dict(reduction='mean', loss_weight=1.0))
param_scheduler = dict(student=[dict(
    type='CosineAnnealingLR', T_max=max_iters, eta_min=0, by_epoch=False,
    end=max_iters)])
train_cfg = dict(max_iters=max_iters, val_interval=200)
default_hooks = dict(
    checkpoint=dict(interval=max_iters), synthetic=dict(interval=400))
