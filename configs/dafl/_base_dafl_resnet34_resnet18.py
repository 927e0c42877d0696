# DAFL, ResNet-34 -> ResNet-18 (CIFAR variants) with the official CIFAR
# settings (DAFL-train.py): batch 1024 (= 8 x 128), 2000 x 120 iterations,
# generator Adam 0.02, student SGD 0.1 (m 0.9, wd 5e-4, x0.1 at epochs 800
# and 1600), latent 1000, KD T=1. The CIFAR-10 / CIFAR-100 configs add the
# data, the teacher and the loss weights.
# Note: on 8 GPUs the generator's output BN and the information-entropy loss
# see each rank's 128 images, not the 1024 of the official single-GPU run;
# for the exact objective train on one GPU with batch_size=1024.
_base_ = [
    '../_base_/models/resnet_cifar.py', '../_base_/datasets/latent.py',
    '../_base_/dfkd_runtime.py'
]
latent_dim = 1000
model = dict(
    type='DAFL',
    student=_base_.resnet18_cifar,
    generator=dict(type='DAFLGenerator', latent_dim=latent_dim, img_size=32,
                   out_channels=3),
    loss_kd=dict(type='KDLoss', tau=1.0),
    data_preprocessor=dict(type='DFKDDataPreprocessor', to_rgb=False))

train_dataloader = dict(batch_size=128, dataset=dict(latent_dim=latent_dim))
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adam', lr=0.02)),
    student=dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9,
                       weight_decay=5e-4)))
param_scheduler = dict(
    generator=[],  # constant
    student=[
        dict(type='MultiStepLR', by_epoch=False, milestones=[96000, 192000],
             gamma=0.1, end=240000)
    ])
train_cfg = dict(max_iters=240000, val_interval=2400)
default_hooks = dict(
    checkpoint=dict(interval=12000), synthetic=dict(interval=12000))
