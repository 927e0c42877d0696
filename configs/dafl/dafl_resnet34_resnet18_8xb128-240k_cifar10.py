# DAFL, ResNet-34 -> ResNet-18 on CIFAR-10 (DAFL paper: 92.22 with a 95.58
# teacher; mmrazor 93.34). Teacher: the mmpretrain zoo's resnet34_8xb16_cifar10
# (95.34), downloaded on first use.
#   tools/dist_train.sh \
#       configs/dafl/dafl_resnet34_resnet18_8xb128-240k_cifar10.py 8
# Official CIFAR-10 loss weights: oh 0.05, ie 5, a 0.01.
# Or the zju-vipa teacher (--cfg-options model.teacher.checkpoint=zju.pth):
# https://www.dropbox.com/sh/w8xehuk7debnka3/AABhoazFReE_5mMeyvb4iUWoa?dl=0
#   python tools/model_converters/zju_vipa_to_mmdfkd.py --arch resnet34 \
#     checkpoints/pretrained/cifar10_resnet34.pth zju.pth
_base_ = [
    './_base_dafl_resnet34_resnet18.py', '../_base_/datasets/cifar10.py'
]
model = dict(
    teacher=dict(model='resnet34_8xb16_cifar10'),
    loss_oh=dict(type='OneHotLoss', loss_weight=0.05),
    loss_ie=dict(type='InfoEntropyLoss', loss_weight=5.0),
    loss_act=dict(type='ActivationLoss', loss_weight=0.01),
    data_preprocessor=dict(mean=_base_.cifar10_mean, std=_base_.cifar10_std))
default_hooks = dict(teacher_check=dict(min_top1=90.0))
