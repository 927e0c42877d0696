# DFQ, ResNet-34 -> ResNet-18 on CIFAR-10 (zju-vipa benchmark: 94.61, best
# epoch, with a 95.70 teacher), its protocol: batch 256, 200 epochs x 40
# iterations of 1 generator + 10 student steps, student SGD 0.05 decayed
# x0.1 at epochs 120 / 150 / 180, generator Adam 1e-3 constant, the B3
# generator (ngf 64, nz 256). Teacher: the mmpretrain zoo's
# resnet34_8xb16_cifar10 (or the zju-vipa one, see the cgdd CIFAR config).
_base_ = [
    './_base_dfq.py', '../_base_/models/resnet_cifar.py',
    '../_base_/datasets/cifar10.py'
]
latent_dim, epoch = 256, 40
max_iters = 200 * epoch
model = dict(
    teacher=dict(model='resnet34_8xb16_cifar10'),
    student=_base_.resnet18_cifar,
    generator=dict(  # Sigmoid B3 generator + the benchmark's Normalizer
        type='NormalizedGenerator',
        generator=dict(type='InversionGenerator', latent_dim=latent_dim,
                       img_size=32, out_channels=3, base_channels=64),
        mean=_base_.cifar10_mean, std=_base_.cifar10_std),
    data_preprocessor=dict(mean=_base_.cifar10_mean, std=_base_.cifar10_std,
                           to_rgb=False))
train_dataloader = dict(batch_size=256, dataset=dict(latent_dim=latent_dim))
param_scheduler = dict(
    generator=[],
    student=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                  milestones=[120 * epoch, 150 * epoch, 180 * epoch])])
train_cfg = dict(max_iters=max_iters, val_interval=10 * epoch)
default_hooks = dict(teacher_check=dict(min_top1=90.0),
                     checkpoint=dict(interval=10 * epoch),
                     synthetic=dict(interval=10 * epoch))
