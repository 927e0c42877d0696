# CGDD, LeNet-5 (BN) -> LeNet-5-Half at 32x32, sized for a 2-core CPU (all
# ours, README.md); the digits and Fashion-MNIST configs add the data, the
# teacher's weights and the normalisation.
_base_ = [
    './_base_cgdd.py', '../_base_/models/lenet5.py',
    '../_base_/dfkd_runtime.py'
]
latent_dim = 100
max_iters = 400
model = dict(
    teacher=dict(model=_base_.lenet5_bn),  # BN running stats for the BN prior
    # the student's own normalisation (set by the dataset config) is unused
    # here (the algorithm's data_preprocessor normalises real images); it
    # travels with the exported student.pth config for mmpretrain's APIs
    student=dict(_base_.lenet5_half,
                 type='mmdfkd.FeatureMapClassifier'),  # + mode='stages'
    generator=dict(
        type='ConditionalDAFLGenerator', num_classes=10,
        condition='embedding',  # ablations: 'cbn', 'both', 'none'
        latent_dim=latent_dim, img_size=32, out_channels=1,
        base_channels=32),  # B1 (eps 0.8); 128 -> 32 for CPU
    # conv blocks 0 and 1: (6, 14, 14) / (16, 5, 5) teacher maps against
    # (3, 14, 14) / (8, 5, 5) student maps; AT needs no adapter. ZSKT's beta
    # 250 is for 32x32..8x8 maps; on these it swamps the KD term (the student
    # stayed at chance), hence 25
    loss_feat=dict(loss_weight=25.0),
    loss_bn=dict(loss_weight=1.0),  # DFQ's; 0.1 (CDFKD-MFS's): README.md
    feature_stages=(0, 1))

train_dataloader = dict(
    batch_size=64,  # even: the two half-batches share their labels
    num_workers=0, persistent_workers=False,
    dataset=dict(latent_dim=latent_dim))
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adam', lr=1e-2)),
    student=dict(
        optimizer=dict(type='SGD', lr=0.05, momentum=0.9,
                       weight_decay=5e-4)))
param_scheduler = dict(
    generator=[],  # constant
    student=[dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=0,
                  by_epoch=False, end=max_iters)])
train_cfg = dict(max_iters=max_iters, val_interval=200)
default_hooks = dict(
    checkpoint=dict(interval=max_iters), synthetic=dict(interval=200))
