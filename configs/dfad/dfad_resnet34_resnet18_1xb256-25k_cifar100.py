# DFAD, ResNet-34 -> ResNet-18 on CIFAR-100 (DFAD paper: 67.7 with a 77.5
# teacher): the CIFAR-10 setting with CIFAR-100's data. The zoo has no
# CIFAR-100 ResNet-34: train it first with
#   configs/teachers/teacher_resnet34_8xb16_cifar100.py
# Or the zju-vipa teacher (--cfg-options model.teacher.checkpoint=zju.pth):
# https://www.dropbox.com/sh/w8xehuk7debnka3/AABhoazFReE_5mMeyvb4iUWoa?dl=0
#   python tools/model_converters/zju_vipa_to_mmdfkd.py --arch resnet34 \
#     checkpoints/pretrained/cifar100_resnet34.pth zju.pth --num-classes 100
_base_ = [
    './_base_dfad_resnet34_resnet18.py', '../_base_/datasets/cifar100.py'
]
resnet34_cifar100 = _base_.resnet34_cifar
resnet34_cifar100.head.num_classes = 100
model = dict(
    teacher=dict(
        model=resnet34_cifar100,
        checkpoint='work_dirs/teacher_resnet34_8xb16_cifar100/weights.pth'),
    student=dict(head=dict(num_classes=100)),
    data_preprocessor=dict(mean=_base_.cifar100_mean,
                           std=_base_.cifar100_std))
default_hooks = dict(teacher_check=dict(min_top1=70.0))
