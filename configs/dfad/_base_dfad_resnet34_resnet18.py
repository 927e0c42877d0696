# DFAD, ResNet-34 -> ResNet-18 (CIFAR variants) with the official settings
# (DFAD_cifar.py): batch 256, 500 x 50 iterations of 5 student + 1 generator
# steps, student SGD 0.1 (m 0.9, wd 5e-4), generator Adam 1e-3, both x0.1 at
# epochs 100 and 200, GeneratorA (nz 256, BN eps 1e-5), L1 on logits. The
# CIFAR-10 / CIFAR-100 configs add the data and the teacher.
_base_ = [
    '../_base_/models/resnet_cifar.py', '../_base_/datasets/latent.py',
    '../_base_/dfkd_runtime.py'
]
latent_dim = 256
student_steps = 5
model = dict(
    type='DFAD',
    student=_base_.resnet18_cifar,
    generator=dict(type='DAFLGenerator', latent_dim=latent_dim, img_size=32,
                   out_channels=3, bn_eps=1e-5),
    loss_discrepancy=dict(type='LogitL1Loss'),
    student_steps=student_steps,
    data_preprocessor=dict(type='DFKDDataPreprocessor', to_rgb=False))

train_dataloader = dict(  # one batch of codes per student / generator step
    dataset=dict(latent_dim=latent_dim, codes_per_sample=student_steps + 1))
optim_wrapper = dict(
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
    checkpoint=dict(interval=2500), synthetic=dict(interval=2500))
