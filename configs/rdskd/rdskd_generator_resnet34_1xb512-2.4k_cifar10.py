# RDSKD stage 2 (of 3): train the generator against the frozen ResNet-34
# teacher on CIFAR-10; no student; the official setting
# (_base_rdskd_generator.py), latent 1000. Teacher: the mmpretrain zoo's
# resnet34_8xb16_cifar10 (95.34, trained with mmpretrain's CIFAR-10
# normalisation, which we therefore use), downloaded on first use.
# Stage 3: rdskd_student_resnet34_resnet18_1xb512-120k_cifar10.py.
_base_ = ['./_base_rdskd_generator.py', '../_base_/datasets/cifar10.py']
latent_dim = 1000  # RDSKD README, CIFAR-10
model = dict(
    teacher=dict(model='resnet34_8xb16_cifar10'),
    generator=dict(latent_dim=latent_dim, out_channels=3),
    data_preprocessor=dict(mean=_base_.cifar10_mean, std=_base_.cifar10_std,
                           to_rgb=False))
train_dataloader = dict(dataset=dict(latent_dim=latent_dim))
val_dataloader = val_evaluator = test_dataloader = test_evaluator = None
default_hooks = dict(
    teacher_check=dict(min_top1=90.0, dataloader=_base_.test_dataloader))
