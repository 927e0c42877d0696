# ResNet-34 (CIFAR variant) teacher on CIFAR-100, which the mmpretrain zoo
# lacks; the recipe of mmpretrain's resnet50_8xb16_cifar100 (SGD 0.1, wd 5e-4,
# milestones 60/120/160 x0.2, 200 epochs, batch 8x16).
#   tools/dist_train.sh configs/teachers/teacher_resnet34_8xb16_cifar100.py 8
# writes work_dirs/teacher_resnet34_8xb16_cifar100/weights.pth, which the
# CIFAR-100 distillation configs load.
_base_ = [
    '../_base_/models/resnet_cifar.py', '../_base_/datasets/cifar100.py',
    '../_base_/schedules/teacher_sgd_200e.py'
]
model = _base_.resnet34_cifar
model.head.num_classes = 100
model.data_preprocessor = dict(
    type='mmpretrain.ClsDataPreprocessor', num_classes=100,
    mean=_base_.cifar100_mean, std=_base_.cifar100_std, to_rgb=False)

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='mmpretrain.CIFAR100',
        data_root='data/cifar100',
        split='train',
        pipeline=[
            dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
            dict(type='mmpretrain.RandomFlip', prob=0.5,
                 direction='horizontal'),
            dict(type='mmpretrain.PackInputs')
        ]))

param_scheduler = dict(milestones=[60, 120, 160], gamma=0.2)  # mmpretrain
custom_hooks = [dict(type='ExportWeightsHook', filename='weights.pth')]
auto_scale_lr = dict(base_batch_size=128)
