# ResNet-34 (torchvision-style) teacher on mini-ImageNet at 224 px, the
# CDFKD-MFS mini-ImageNet teacher, with the recipe of its DataTrain.py:
# SGD 0.1 (m 0.9, wd 5e-4), batch 64, 100 epochs, x0.1 at epochs 50 and 80,
# from scratch; Resize 256 + RandomCrop 224 + flip, ImageNet normalisation.
# Data: all 60k images pooled, stratified 80/20, seed 1 (mmdfkd.MiniImageNet).
# Three teachers = this config run with three seeds:
#   for s in 1 2 3; do python tools/train.py \
#       configs/teachers/teacher_resnet34_mini-imagenet.py \
#       --cfg-options randomness.seed=$s \
#       --work-dir work_dirs/teacher_resnet34_mini-imagenet_seed$s; done
_base_ = [
    '../_base_/models/resnet.py', '../_base_/datasets/mini_imagenet.py',
    '../_base_/default_runtime.py'
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

optim_wrapper = dict(  # CDFKD-MFS DataTrain.py
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(  # CDFKD-MFS DataTrain-miniimagenet-resnet34.sh
    type='MultiStepLR', by_epoch=True, milestones=[50, 80], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=5)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(by_epoch=True, interval=5, max_keep_ckpts=2))
log_processor = dict(by_epoch=True)
custom_hooks = [dict(type='ExportWeightsHook', filename='weights.pth')]
