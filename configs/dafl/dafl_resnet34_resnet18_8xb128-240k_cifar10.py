# DAFL, ResNet-34 -> ResNet-18 on CIFAR-10 (DAFL paper: 92.22 with a 95.58
# teacher; mmrazor 93.34). Teacher: the mmpretrain zoo's resnet34_8xb16_cifar10
# (95.34), downloaded on first use.
#   tools/dist_train.sh \
#       configs/dafl/dafl_resnet34_resnet18_8xb128-240k_cifar10.py 8
# Official settings (DAFL-train.py, CIFAR-10): batch 1024 (= 8 x 128),
# 2000 x 120 iterations, generator Adam 0.02, student SGD 0.1 (m 0.9, wd 5e-4,
# x0.1 at epochs 800 and 1600), oh 0.05, ie 5, a 0.01, latent 1000, KD T=1.
# Note: on 8 GPUs the generator's output BN and the information-entropy loss
# see each rank's 128 images, not the 1024 of the official single-GPU run;
# for the exact objective train on one GPU with batch_size=1024.
_base_ = [
    '../_base_/models/resnet_cifar.py', '../_base_/datasets/cifar10.py',
    '../_base_/dfkd_runtime.py'
]
latent_dim = 1000
model = dict(
    type='DAFL',
    teacher=dict(model='resnet34_8xb16_cifar10'),
    student=_base_.resnet18_cifar,
    generator=dict(type='DAFLGenerator', latent_dim=latent_dim, img_size=32,
                   out_channels=3),
    loss_oh=dict(type='OneHotLoss', loss_weight=0.05),
    loss_ie=dict(type='InfoEntropyLoss', loss_weight=5.0),
    loss_act=dict(type='ActivationLoss', loss_weight=0.01),
    loss_kd=dict(type='KDLoss', tau=1.0),
    data_preprocessor=dict(
        type='DFKDDataPreprocessor', mean=_base_.cifar10_mean,
        std=_base_.cifar10_std, to_rgb=False))

train_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='LatentDataset', latent_dim=latent_dim))

optim_wrapper = dict(
    constructor='PerModuleOptimWrapperConstructor',
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
    checkpoint=dict(interval=12000),
    teacher_check=dict(min_top1=90.0),
    synthetic=dict(interval=12000))
