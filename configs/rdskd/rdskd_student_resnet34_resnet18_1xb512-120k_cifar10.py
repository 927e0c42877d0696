# RDSKD stage 3 (of 3): ResNet-34 -> ResNet-18 by KD on images of the
# stage-2 generator, frozen in eval mode (its BN running statistics), on
# CIFAR-10. Teacher: the mmpretrain zoo's resnet34_8xb16_cifar10. First run
# stage 2:
#   python tools/train.py \
#       configs/rdskd/rdskd_generator_resnet34_1xb512-2.4k_cifar10.py
# Official setting (student-train.py, CIFAR-10): batch 512, 1000 epochs x
# 120 iterations, Adam 2e-3 (wd 0), x0.1 at epoch 800, KD at temperature
# 10; the last model is kept.
_base_ = [
    '../_base_/models/resnet_cifar.py', '../_base_/datasets/cifar10.py',
    '../_base_/dfkd_runtime.py'
]
latent_dim = 1000  # must match the stage-2 generator
model = dict(
    type='FrozenGeneratorKD',
    teacher=dict(model='resnet34_8xb16_cifar10'),
    student=_base_.resnet18_cifar,
    generator=dict(
        type='DAFLGenerator', latent_dim=latent_dim, img_size=32,
        out_channels=3),  # as in the stage-2 config
    generator_checkpoint=('work_dirs/rdskd_generator_resnet34_1xb512-2.4k_'
                          'cifar10/generator.pth'),
    loss_kd=dict(type='KDLoss', tau=10.0),  # RDSKD: T = 10
    data_preprocessor=dict(
        type='DFKDDataPreprocessor', mean=_base_.cifar10_mean,
        std=_base_.cifar10_std, to_rgb=False))

train_dataloader = dict(
    batch_size=512,  # RDSKD
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    # a fresh code for every image of the run, as the official code draws
    # z each step (codes are made on the fly; shuffling them is pointless)
    dataset=dict(type='LatentDataset', latent_dim=latent_dim,
                 length=120_000 * 512))

optim_wrapper = dict(
    constructor='PerModuleOptimWrapperConstructor',
    student=dict(optimizer=dict(type='Adam', lr=2e-3)))  # RDSKD
param_scheduler = dict(student=[  # RDSKD CIFAR-10: x0.1 at epoch 800
    dict(type='MultiStepLR', by_epoch=False, milestones=[96000], gamma=0.1,
         end=120000)
])

# RDSKD: 1000 epochs x 120 iterations; it tests every 10 iterations, we
# every 10 epochs.
train_cfg = dict(max_iters=120000, val_interval=1200)
default_hooks = dict(
    checkpoint=dict(interval=12000),
    teacher_check=dict(min_top1=90.0),
    synthetic=dict(interval=12000, generator_mode='eval'))
