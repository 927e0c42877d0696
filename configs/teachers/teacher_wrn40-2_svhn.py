# WRN-40-2 teacher on SVHN (32x32), the RDSKD SVHN teacher. Writes the plain
# weights that the SVHN distillation configs load:
#   work_dirs/teacher_wrn40-2_svhn/weights.pth
# Official setting (RDSKD teacher-train.py, SVHN): Adam, lr 0.01 / 0.001 /
# 0.0005 for epochs < 80 / < 120 / the rest, batch 128, 499 epochs, no
# augmentation, train_32x32.mat only (no extra split).
_base_ = [
    '../_base_/models/wide_resnet.py', '../_base_/datasets/svhn.py',
    '../_base_/default_runtime.py'
]
model = _base_.wrn40_2
model.data_preprocessor = dict(
    type='mmpretrain.ClsDataPreprocessor', num_classes=10,
    mean=_base_.svhn_mean, std=_base_.svhn_std, to_rgb=False)

train_dataloader = dict(
    batch_size=128,  # RDSKD
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='SVHN',
        data_root=_base_.svhn_root,
        split='train',
        pipeline=[dict(type='mmpretrain.PackInputs')]))  # no augmentation

optim_wrapper = dict(optimizer=dict(type='Adam', lr=0.01))  # RDSKD
param_scheduler = [  # RDSKD: 0.01 -> 0.001 (epoch 80) -> 0.0005 (epoch 120)
    dict(type='MultiStepLR', by_epoch=True, milestones=[80], gamma=0.1),
    dict(type='MultiStepLR', by_epoch=True, milestones=[120], gamma=0.5)
]
train_cfg = dict(by_epoch=True, max_epochs=499, val_interval=10)  # RDSKD
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(by_epoch=True, interval=10, max_keep_ckpts=2))
log_processor = dict(by_epoch=True)
custom_hooks = [dict(type='ExportWeightsHook', filename='weights.pth')]
