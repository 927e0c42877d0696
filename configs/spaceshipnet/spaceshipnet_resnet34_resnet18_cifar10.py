# SpaceshipNet, ResNet-34 -> ResNet-18 on CIFAR-10 (paper: 95.39), the
# official schedule in _base_spaceshipnet_resnet34_resnet18.py. Teacher:
# mmpretrain's resnet34_8xb16_cifar10. Or the MosaicKD / zju-vipa teacher
# of the official code (--cfg-options model.teacher.checkpoint=zju.pth):
# https://www.dropbox.com/sh/w8xehuk7debnka3/AABhoazFReE_5mMeyvb4iUWoa?dl=0
#   python tools/model_converters/zju_vipa_to_mmdfkd.py --arch resnet34 \
#     checkpoints/pretrained/cifar10_resnet34.pth zju.pth
_base_ = ['./_base_spaceshipnet_resnet34_resnet18.py',
          '../_base_/datasets/cifar10.py']
model = dict(
    teacher=dict(model='resnet34_8xb16_cifar10'),
    synthesizer=dict(num_classes=10),
    loss_kd=dict(loss_weight=0.1),  # 1 / K
    data_preprocessor=dict(mean=_base_.cifar10_mean, std=_base_.cifar10_std))
default_hooks = dict(teacher_check=dict(min_top1=90.0))
