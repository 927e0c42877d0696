# CGDD, LeNet-5 (BN) -> LeNet-5-Half on scikit-learn digits (32x32), sized
# for a 2-core CPU. CGDD publishes no code: every setting below is ours (see
# README.md, "Our design"). First train the teacher (seed 1 of its config):
#   python tools/train.py configs/teachers/teacher_lenet5-bn_digits.py \
#       --cfg-options randomness.seed=1 \
#       --work-dir work_dirs/teacher_lenet5-bn_digits_seed1
_base_ = [
    '../_base_/models/lenet5.py', '../_base_/datasets/digits.py',
    '../_base_/dfkd_runtime.py'
]
num_classes = 10
latent_dim = 100
generator_steps = 1
student_steps = 5
max_iters = 400
model = dict(
    type='CGDD',
    teacher=dict(
        model=_base_.lenet5_bn,  # BN running statistics for the BN prior
        checkpoint='work_dirs/teacher_lenet5-bn_digits_seed1/weights.pth'),
    # the student's own normalisation is unused here (the algorithm's
    # data_preprocessor normalises real images); it travels with the
    # exported student.pth config for mmpretrain's inference APIs
    student=dict(
        _base_.lenet5_half,
        type='mmdfkd.FeatureMapClassifier',  # + mode='stages'
        data_preprocessor=dict(mean=_base_.digits_mean,
                               std=_base_.digits_std)),
    generator=dict(
        type='ConditionalDAFLGenerator', num_classes=num_classes,
        condition='embedding',  # ablations: 'cbn', 'both', 'none'
        latent_dim=latent_dim, img_size=32, out_channels=1,
        base_channels=32),  # B1 (eps 0.8); 128 -> 32 for CPU
    loss_label=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
    loss_bn=dict(type='BNStatisticsLoss', loss_weight=0.1,
                 first_bn_multiplier=5.0),  # CDFKD-MFS's weights
    loss_div=dict(type='ModeSeekingLoss', loss_weight=1.0),
    loss_adv=dict(type='LogitL1Loss', loss_weight=0.3),  # DFAD's D
    loss_kd=dict(type='KDLoss', tau=1.0),
    # conv blocks 0 and 1: (6, 14, 14) / (16, 5, 5) teacher maps against
    # (3, 14, 14) / (8, 5, 5) student maps; AT needs no adapter
    # ZSKT's beta 250 is for 32x32..8x8 maps; on these 14x14 / 5x5 maps it
    # swamps the KD term (the student stayed at chance), hence 25
    loss_feat=dict(type='AttentionTransferLoss', loss_weight=25.0),
    feature_stages=(0, 1),
    generator_steps=generator_steps,
    student_steps=student_steps,
    data_preprocessor=dict(
        type='DFKDDataPreprocessor', mean=_base_.digits_mean,
        std=_base_.digits_std))

train_dataloader = dict(
    batch_size=64,  # even: the two half-batches share their labels
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    # one batch of codes per update
    dataset=dict(
        type='LatentDataset', latent_dim=latent_dim,
        codes_per_sample=generator_steps + student_steps))

optim_wrapper = dict(
    constructor='PerModuleOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=1e-2)),
    student=dict(
        optimizer=dict(type='SGD', lr=0.05, momentum=0.9,
                       weight_decay=5e-4)))
param_scheduler = dict(
    generator=[],  # constant
    student=[
        dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=0,
             by_epoch=False, end=max_iters)
    ])

train_cfg = dict(max_iters=max_iters, val_interval=200)
default_hooks = dict(
    checkpoint=dict(interval=max_iters),
    teacher_check=dict(min_top1=90.0),
    synthetic=dict(interval=200))
# work_dir/generator.pth: the conditional generator alone, for
# tools/generate.py and further distillation runs
custom_hooks = [
    dict(type='ExportWeightsHook', module='generator',
         filename='generator.pth')
]
