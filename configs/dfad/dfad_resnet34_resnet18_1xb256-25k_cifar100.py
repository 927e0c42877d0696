# DFAD, ResNet-34 -> ResNet-18 on CIFAR-100 (DFAD paper: 67.7 with a 77.5
# teacher). The zoo has no CIFAR-100 ResNet-34: train it first with
#   configs/teachers/teacher_resnet34_8xb16_cifar100.py
# Official settings (DFAD_cifar.py): batch 256, 500 x 50 iterations of
# 5 student + 1 generator steps, student SGD 0.1 (m 0.9, wd 5e-4), generator
# Adam 1e-3, both x0.1 at epochs 100 and 200, GeneratorA (nz 256, BN eps 1e-5),
# L1 on logits.
_base_ = [
    '../_base_/models/resnet_cifar.py', '../_base_/datasets/cifar100.py',
    '../_base_/dfkd_runtime.py'
]
latent_dim = 256
student_steps = 5
resnet34_cifar100 = _base_.resnet34_cifar
resnet34_cifar100.head.num_classes = 100
resnet18_cifar100 = _base_.resnet18_cifar
resnet18_cifar100.head.num_classes = 100
model = dict(
    type='DFAD',
    teacher=dict(
        model=resnet34_cifar100,
        checkpoint='work_dirs/teacher_resnet34_8xb16_cifar100/weights.pth'),
    student=resnet18_cifar100,
    generator=dict(type='DAFLGenerator', latent_dim=latent_dim, img_size=32,
                   out_channels=3, bn_eps=1e-5),
    loss_discrepancy=dict(type='LogitL1Loss'),
    student_steps=student_steps,
    data_preprocessor=dict(
        type='DFKDDataPreprocessor', mean=_base_.cifar100_mean,
        std=_base_.cifar100_std, to_rgb=False))

train_dataloader = dict(
    batch_size=256,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='LatentDataset', latent_dim=latent_dim,
        codes_per_sample=student_steps + 1))

optim_wrapper = dict(
    constructor='PerModuleOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=1e-3)),
    student=dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9,
                       weight_decay=5e-4)))
param_scheduler = dict(
    generator=[
        dict(type='MultiStepLR', by_epoch=False, milestones=[5000, 10000],
             gamma=0.1, end=25000)
    ],
    student=[
        dict(type='MultiStepLR', by_epoch=False, milestones=[5000, 10000],
             gamma=0.1, end=25000)
    ])
train_cfg = dict(max_iters=25000, val_interval=500)
default_hooks = dict(
    checkpoint=dict(interval=2500),
    teacher_check=dict(min_top1=70.0),
    synthetic=dict(interval=2500))
