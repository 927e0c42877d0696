# RDSKD stage 2 (of 3): train the generator against the frozen WRN-40-2
# teacher on SVHN (32x32); no student; the official setting
# (_base_rdskd_generator.py), latent 1000. Stage 1, the teacher:
#   python tools/train.py configs/teachers/teacher_wrn40-2_svhn.py
# Stage 3: rdskd_student_wrn40-2_wrn16-1_1xb512-120k_svhn.py.
_base_ = [
    './_base_rdskd_generator.py', '../_base_/models/wide_resnet.py',
    '../_base_/datasets/svhn.py'
]
latent_dim = 1000  # RDSKD README, SVHN
model = dict(
    teacher=dict(
        model=_base_.wrn40_2,
        checkpoint='work_dirs/teacher_wrn40-2_svhn/weights.pth'),
    generator=dict(latent_dim=latent_dim, out_channels=3),
    data_preprocessor=dict(mean=_base_.svhn_mean, std=_base_.svhn_std,
                           to_rgb=False))
train_dataloader = dict(dataset=dict(latent_dim=latent_dim))
val_dataloader = val_evaluator = test_dataloader = test_evaluator = None
default_hooks = dict(
    teacher_check=dict(min_top1=90.0, dataloader=_base_.test_dataloader))
