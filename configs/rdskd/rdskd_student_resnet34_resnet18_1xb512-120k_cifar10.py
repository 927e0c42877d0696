# RDSKD stage 3 (of 3): ResNet-34 -> ResNet-18 by KD on images of the frozen
# stage-2 generator, on CIFAR-10; the official setting
# (_base_rdskd_student.py) with CIFAR-10's lr decay. Teacher: the mmpretrain
# zoo's resnet34_8xb16_cifar10. First run stage 2:
#   python tools/train.py \
#       configs/rdskd/rdskd_generator_resnet34_1xb512-2.4k_cifar10.py
_base_ = [
    './_base_rdskd_student.py', '../_base_/models/resnet_cifar.py',
    '../_base_/datasets/cifar10.py'
]
latent_dim = 1000  # must match the stage-2 generator
model = dict(
    teacher=dict(model='resnet34_8xb16_cifar10'),
    student=_base_.resnet18_cifar,
    generator=dict(latent_dim=latent_dim, out_channels=3),
    generator_checkpoint=('work_dirs/rdskd_generator_resnet34_1xb512-2.4k_'
                          'cifar10/generator.pth'),
    data_preprocessor=dict(mean=_base_.cifar10_mean, std=_base_.cifar10_std,
                           to_rgb=False))
train_dataloader = dict(dataset=dict(latent_dim=latent_dim))
param_scheduler = dict(student=[  # RDSKD CIFAR-10: x0.1 at epoch 800
    dict(type='MultiStepLR', by_epoch=False, milestones=[96000], gamma=0.1,
         end=120000)
])
default_hooks = dict(teacher_check=dict(min_top1=90.0))
