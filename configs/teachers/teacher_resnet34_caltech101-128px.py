# ResNet-34 (torchvision-style) teacher on Caltech-101 at 128 px, the
# CDFKD-MFS Caltech-101 teacher, with the recipe of its DataTrain.py
# (_base_/schedules/teacher_sgd_200e.py, as DataTrain-caltech101-resnet34.sh),
# batch 64, from scratch; Resize 128 + RandomCrop 128 + flip,
# Normalize(0.5, 0.5).
# Split: 101 classes, stratified 80/20, seed 1 (mmdfkd.Caltech101Split).
# Three teachers = this config run with three seeds:
#   for s in 1 2 3; do python tools/train.py \
#       configs/teachers/teacher_resnet34_caltech101-128px.py \
#       --cfg-options randomness.seed=$s \
#       --work-dir work_dirs/teacher_resnet34_caltech101-128px_seed$s; done
_base_ = [
    '../_base_/models/resnet.py', '../_base_/datasets/caltech101_128px.py',
    '../_base_/schedules/teacher_sgd_200e.py'
]
model = _base_.resnet34
model.head.num_classes = 101
model.data_preprocessor = dict(
    type='mmpretrain.ClsDataPreprocessor', num_classes=101,
    mean=_base_.caltech101_mean, std=_base_.caltech101_std, to_rgb=True)

train_dataloader = dict(
    batch_size=64,  # CDFKD-MFS
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='Caltech101Split',
        data_root=_base_.caltech101_root,
        split='train',
        pipeline=[
            dict(type='mmpretrain.LoadImageFromFile'),
            dict(type='mmpretrain.ResizeEdge', scale=128, edge='short'),
            dict(type='mmpretrain.RandomCrop', crop_size=128),
            dict(type='mmpretrain.RandomFlip', prob=0.5,
                 direction='horizontal'),
            dict(type='mmpretrain.PackInputs')
        ]))

default_hooks = dict(logger=dict(interval=50))
custom_hooks = [dict(type='ExportWeightsHook', filename='weights.pth')]
