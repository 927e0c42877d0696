# RDSKD stage 3 (of 3): WRN-40-2 -> WRN-16-1 by KD on images of the frozen
# stage-2 generator, on SVHN (32x32); the official setting
# (_base_rdskd_student.py; constant lr: the official code decays it on
# CIFAR-10 only). First run stage 2:
#   python tools/train.py \
#       configs/rdskd/rdskd_generator_wrn40-2_1xb512-2.4k_svhn.py
_base_ = [
    './_base_rdskd_student.py', '../_base_/models/wide_resnet.py',
    '../_base_/datasets/svhn.py'
]
latent_dim = 1000  # must match the stage-2 generator
model = dict(
    teacher=dict(
        model=_base_.wrn40_2,
        checkpoint='work_dirs/teacher_wrn40-2_svhn/weights.pth'),
    student=_base_.wrn16_1,
    generator=dict(latent_dim=latent_dim, out_channels=3),
    generator_checkpoint=(
        'work_dirs/rdskd_generator_wrn40-2_1xb512-2.4k_svhn/generator.pth'),
    data_preprocessor=dict(mean=_base_.svhn_mean, std=_base_.svhn_std,
                           to_rgb=False))
train_dataloader = dict(dataset=dict(latent_dim=latent_dim))
default_hooks = dict(teacher_check=dict(min_top1=90.0))
