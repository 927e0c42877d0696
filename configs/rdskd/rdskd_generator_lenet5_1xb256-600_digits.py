# RDSKD stage 2 (of 3): train the generator against the frozen LeNet-5
# teacher on scikit-learn digits (32x32); no student. Sized for a 2-core CPU.
# Stage 1, the teacher:
#   python tools/train.py configs/teachers/teacher_lenet5_digits.py
# This stage writes work_dirs/<this config's name>/generator.pth, which
# stage 3 (rdskd_student_lenet5_lenet5-half_1xb256-2k_digits.py) loads.
# Paper setting (MNIST, official generator-train.py): batch 512, 20 epochs x
# 120 iterations, Adam 1e-3, latent 100, no loss weights.
import math

_base_ = [
    '../_base_/models/lenet5.py', '../_base_/datasets/digits.py',
    '../_base_/dfkd_runtime.py'
]
latent_dim = 100  # MNIST setting of the official README
model = dict(
    type='RDSKD',
    teacher=dict(
        model=_base_.lenet5,
        checkpoint='work_dirs/teacher_lenet5_digits/weights.pth'),
    generator=dict(
        type='DAFLGenerator', latent_dim=latent_dim, img_size=32,
        out_channels=1, base_channels=32),  # 128 in the paper; 32 for CPU
    loss_oh=dict(type='OneHotLoss'),                         # authenticity
    loss_ie=dict(type='InfoEntropyLoss', log_base=math.e),   # class div.
    loss_ds=dict(type='ModeSeekingLoss'),                    # sample div.
    epoch_length=120,  # snapshots of L_oh, L_ie refreshed once per epoch
    data_preprocessor=dict(
        type='DFKDDataPreprocessor', mean=_base_.digits_mean,
        std=_base_.digits_std))

train_dataloader = dict(
    batch_size=256,  # two half-batches of 128 (512 in the paper)
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='LatentDataset', latent_dim=latent_dim))

optim_wrapper = dict(
    constructor='PerModuleOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=1e-3)))  # RDSKD, constant

# 5 epochs of 120 iterations (the paper: 20). No validation loop: the run
# has no student; the teacher is checked on the real test split first.
train_cfg = dict(type='IterBasedTrainLoop', max_iters=600)
val_dataloader = None
val_evaluator = None
val_cfg = None
test_dataloader = None
test_evaluator = None
test_cfg = None
default_hooks = dict(
    checkpoint=dict(interval=300),
    teacher_check=dict(
        min_top1=90.0, dataloader=_base_.test_dataloader),
    synthetic=dict(interval=300, generator_mode='eval'))  # as stage 3 sees it
custom_hooks = [
    dict(type='ExportWeightsHook', module='generator',
         filename='generator.pth')
]
