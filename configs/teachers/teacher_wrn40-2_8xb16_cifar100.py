# WRN-40-2 teacher on CIFAR-100, the CDFKD-MFS WRN teacher, with the recipe
# of its DataTrain.py (_base_/schedules/teacher_sgd_200e.py), batch 128
# (= 8 x 16), RandomCrop(32, 4) + flip.
# Three teachers = this config run with three seeds (the CDFKD-MFS configs
# load these paths):
#   for s in 1 2 3; do tools/dist_train.sh \
#       configs/teachers/teacher_wrn40-2_8xb16_cifar100.py 8 \
#       --cfg-options randomness.seed=$s \
#       --work-dir work_dirs/teacher_wrn40-2_8xb16_cifar100_seed$s; done
_base_ = [
    '../_base_/models/wide_resnet.py', '../_base_/datasets/cifar100.py',
    '../_base_/schedules/teacher_sgd_200e.py'
]
model = _base_.wrn40_2
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

custom_hooks = [dict(type='ExportWeightsHook', filename='weights.pth')]
auto_scale_lr = dict(base_batch_size=128)
