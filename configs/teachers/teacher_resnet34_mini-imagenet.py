# ResNet-34 (torchvision-style) teacher on mini-ImageNet at 224 px, the
# CDFKD-MFS mini-ImageNet teacher, with the recipe of its DataTrain.py
# (_base_/schedules/teacher_sgd_200e.py; 100 epochs, x0.1 at 50 and 80),
# batch 64, from scratch; Resize 256 + RandomCrop 224 + flip, ImageNet
# normalisation.
# Data: all 60k images pooled, stratified 80/20, seed 1 (mmdfkd.MiniImageNet).
# Three teachers = this config run with three seeds:
#   for s in 1 2 3; do python tools/train.py \
#       configs/teachers/teacher_resnet34_mini-imagenet.py \
#       --cfg-options randomness.seed=$s \
#       --work-dir work_dirs/teacher_resnet34_mini-imagenet_seed$s; done
_base_ = [
    '../_base_/models/resnet.py', '../_base_/datasets/mini_imagenet.py',
    '../_base_/schedules/teacher_sgd_200e.py'
]
model = _base_.resnet34
model.head.num_classes = 100
model.data_preprocessor = dict(
    type='mmpretrain.ClsDataPreprocessor', num_classes=100,
    mean=_base_.imagenet_mean, std=_base_.imagenet_std, to_rgb=True)

train_dataloader = dict(
    batch_size=64,  # CDFKD-MFS
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='MiniImageNet',
        data_root=_base_.mini_imagenet_root,
        split='train',
        pipeline=[
            dict(type='mmpretrain.LoadImageFromFile'),
            dict(type='mmpretrain.ResizeEdge', scale=256, edge='short'),
            dict(type='mmpretrain.RandomCrop', crop_size=224),
            dict(type='mmpretrain.RandomFlip', prob=0.5,
                 direction='horizontal'),
            dict(type='mmpretrain.PackInputs')
        ]))

# CDFKD-MFS DataTrain-miniimagenet-resnet34.sh: 100 epochs, x0.1 at 50, 80
param_scheduler = dict(milestones=[50, 80])
train_cfg = dict(max_epochs=100, val_interval=5)
default_hooks = dict(checkpoint=dict(interval=5))
custom_hooks = [dict(type='ExportWeightsHook', filename='weights.pth')]
