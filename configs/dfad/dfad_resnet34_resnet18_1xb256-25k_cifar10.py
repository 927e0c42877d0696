# DFAD, ResNet-34 -> ResNet-18 on CIFAR-10 (DFAD paper: 93.3 with a 95.5
# teacher; mmrazor 92.80); official settings in
# _base_dfad_resnet34_resnet18.py. Teacher: the mmpretrain zoo's
# resnet34_8xb16_cifar10, downloaded on first use.
# Or the zju-vipa teacher (--cfg-options model.teacher.checkpoint=zju.pth):
# https://www.dropbox.com/sh/w8xehuk7debnka3/AABhoazFReE_5mMeyvb4iUWoa?dl=0
#   python tools/model_converters/zju_vipa_to_mmdfkd.py --arch resnet34 \
#     checkpoints/pretrained/cifar10_resnet34.pth zju.pth
_base_ = [
    './_base_dfad_resnet34_resnet18.py', '../_base_/datasets/cifar10.py'
]
model = dict(
    teacher=dict(model='resnet34_8xb16_cifar10'),
    data_preprocessor=dict(mean=_base_.cifar10_mean, std=_base_.cifar10_std))
default_hooks = dict(teacher_check=dict(min_top1=90.0))
