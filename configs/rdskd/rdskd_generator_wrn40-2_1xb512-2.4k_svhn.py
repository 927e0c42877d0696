# RDSKD stage 2 (of 3): train the generator against the frozen WRN-40-2
# teacher on SVHN (32x32); no student. Stage 1, the teacher:
#   python tools/train.py configs/teachers/teacher_wrn40-2_svhn.py
# This stage writes work_dirs/<this config's name>/generator.pth, which
# stage 3 (rdskd_student_wrn40-2_wrn16-1_1xb512-120k_svhn.py) loads.
# Official setting (generator-train.py, SVHN): batch 512, 20 epochs x
# 120 iterations, Adam 1e-3, latent 1000, no loss weights.
import math

_base_ = [
    '../_base_/models/wide_resnet.py', '../_base_/datasets/svhn.py',
    '../_base_/dfkd_runtime.py'
]
latent_dim = 1000  # RDSKD README, SVHN
model = dict(
    type='RDSKD',
    teacher=dict(
        model=_base_.wrn40_2,
        checkpoint='work_dirs/teacher_wrn40-2_svhn/weights.pth'),
    generator=dict(
        type='DAFLGenerator', latent_dim=latent_dim, img_size=32,
        out_channels=3),  # B1: base_channels 128, inner BN eps 0.8
    loss_oh=dict(type='OneHotLoss'),                         # authenticity
    loss_ie=dict(type='InfoEntropyLoss', log_base=math.e),   # class div.
    loss_ds=dict(type='ModeSeekingLoss'),                    # sample div.
    epoch_length=120,  # RDSKD: snapshots of L_oh, L_ie once per epoch
    data_preprocessor=dict(
        type='DFKDDataPreprocessor', mean=_base_.svhn_mean,
        std=_base_.svhn_std, to_rgb=False))

train_dataloader = dict(
    batch_size=512,  # RDSKD: two half-batches of 256
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='LatentDataset', latent_dim=latent_dim))

optim_wrapper = dict(
    constructor='PerModuleOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=1e-3)))  # RDSKD, constant

# RDSKD: 20 epochs x 120 iterations. No validation loop: the run has no
# student; the teacher is checked on the real test split first.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=2400)
val_dataloader = None
val_evaluator = None
val_cfg = None
test_dataloader = None
test_evaluator = None
test_cfg = None
default_hooks = dict(
    checkpoint=dict(interval=1200),
    teacher_check=dict(min_top1=90.0, dataloader=_base_.test_dataloader),
    synthetic=dict(interval=1200))
custom_hooks = [
    dict(type='ExportWeightsHook', module='generator',
         filename='generator.pth')
]
