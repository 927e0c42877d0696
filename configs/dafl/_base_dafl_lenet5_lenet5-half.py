# DAFL, LeNet-5 -> LeNet-5-Half at 32x32, sized for a 2-core CPU; the digits
# and Fashion-MNIST configs add the data, the teacher's weights and the
# normalisation. Paper setting (MNIST, DAFL §4.1 / official code): batch 512,
# 200x120 iters, generator Adam 0.2, student Adam 2e-3, oh 1, ie 5, a 0.1,
# latent 100, KD T=1.
_base_ = [
    '../_base_/models/lenet5.py', '../_base_/datasets/latent.py',
    '../_base_/dfkd_runtime.py'
]
latent_dim = 100
model = dict(
    type='DAFL',
    teacher=dict(model=_base_.lenet5),
    student=_base_.lenet5_half,
    generator=dict(
        type='DAFLGenerator', latent_dim=latent_dim, img_size=32,
        out_channels=1, base_channels=32),  # 128 in the paper; 32 for CPU
    loss_oh=dict(type='OneHotLoss', loss_weight=1.0),         # oh, Eq. (6)
    loss_ie=dict(type='InfoEntropyLoss', loss_weight=5.0),    # beta, Eq. (6)
    loss_act=dict(type='ActivationLoss', loss_weight=0.1),    # alpha, Eq. (6)
    loss_kd=dict(type='KDLoss', tau=1.0),                     # Eq. (7)
    data_preprocessor=dict(type='DFKDDataPreprocessor'))  # + dataset mean/std

train_dataloader = dict(
    batch_size=128, num_workers=0, persistent_workers=False,
    dataset=dict(latent_dim=latent_dim))
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adam', lr=0.2)),   # DAFL MNIST
    student=dict(optimizer=dict(type='Adam', lr=2e-3)))    # DAFL MNIST
# constant learning rates (no param_scheduler), as the official MNIST code
train_cfg = dict(max_iters=2000, val_interval=500)
default_hooks = dict(
    checkpoint=dict(interval=1000), synthetic=dict(interval=500))
