# RDSKD stage 3 (of 3): the student learns by KD from the teacher on images
# of the stage-2 generator, frozen in eval mode (its BN running statistics).
# Official setting (student-train.py): batch 512, 1000 epochs x 120
# iterations, Adam 2e-3 (wd 0), KD at temperature 10, constant lr (CIFAR-10:
# x0.1 at epoch 800); the last model is kept. The dataset configs add the
# networks, the stage-2 generator and the data.
_base_ = ['../_base_/datasets/latent.py', '../_base_/dfkd_runtime.py']
model = dict(
    type='FrozenGeneratorKD',
    generator=dict(type='DAFLGenerator', img_size=32),  # as in stage 2
    loss_kd=dict(type='KDLoss', tau=10.0),  # RDSKD: T = 10
    data_preprocessor=dict(type='DFKDDataPreprocessor'))  # + dataset mean/std

train_dataloader = dict(
    batch_size=512,  # RDSKD
    # a fresh code for every image of the run, as the official code draws
    # z each step (codes are made on the fly; shuffling them is pointless)
    sampler=dict(shuffle=False),
    dataset=dict(length=120_000 * 512))  # + latent_dim: stage 2's
optim_wrapper = dict(
    student=dict(optimizer=dict(type='Adam', lr=2e-3)))  # RDSKD
# RDSKD: 1000 epochs x 120 iterations; it tests every 10 iterations, we
# every 10 epochs.
train_cfg = dict(max_iters=120000, val_interval=1200)
default_hooks = dict(
    checkpoint=dict(interval=12000),
    synthetic=dict(interval=12000, generator_mode='eval'))
