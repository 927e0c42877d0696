# SpaceshipNet, ResNet-34 -> ResNet-18 on CIFAR-100 (paper: 77.41; the
# official README's six seeds: 77.15 +- 0.21), the official schedule in
# _base_spaceshipnet_resnet34_resnet18.py. The zoo has no CIFAR-100
# ResNet-34: train it first with
#   configs/teachers/teacher_resnet34_8xb16_cifar100.py
# Or the MosaicKD / zju-vipa teacher of the official code:
#   python tools/model_converters/zju_vipa_to_mmdfkd.py --arch resnet34 \
#     checkpoints/pretrained/cifar100_resnet34.pth zju.pth --num-classes 100
_base_ = ['./_base_spaceshipnet_resnet34_resnet18.py',
          '../_base_/datasets/cifar100.py']
teacher = _base_.resnet34_cifar
teacher.head.num_classes = 100
model = dict(
    teacher=dict(
        model=teacher,
        checkpoint='work_dirs/teacher_resnet34_8xb16_cifar100/weights.pth'),
    student=dict(head=dict(num_classes=100)),
    synthesizer=dict(num_classes=100),
    loss_kd=dict(loss_weight=0.01),  # 1 / K
    data_preprocessor=dict(mean=_base_.cifar100_mean,
                           std=_base_.cifar100_std))
default_hooks = dict(teacher_check=dict(min_top1=70.0))
