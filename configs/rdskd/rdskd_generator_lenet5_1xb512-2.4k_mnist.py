# RDSKD stage 2 (of 3): train the generator against the frozen LeNet-5
# teacher on MNIST (32x32); no student; the official setting
# (_base_rdskd_generator.py), latent 100. Stage 1, the teacher:
#   python tools/train.py configs/teachers/teacher_lenet5_mnist.py
# Stage 3: rdskd_student_lenet5_lenet5-half_1xb512-120k_mnist.py.
_base_ = [
    './_base_rdskd_generator.py', '../_base_/models/lenet5.py',
    '../_base_/datasets/mnist.py'
]
latent_dim = 100  # RDSKD README, MNIST
model = dict(
    teacher=dict(
        model=_base_.lenet5,
        checkpoint='work_dirs/teacher_lenet5_mnist/weights.pth'),
    generator=dict(latent_dim=latent_dim, out_channels=1),
    data_preprocessor=dict(mean=_base_.mnist_mean, std=_base_.mnist_std))
train_dataloader = dict(dataset=dict(latent_dim=latent_dim))
val_dataloader = val_evaluator = test_dataloader = test_evaluator = None
default_hooks = dict(
    teacher_check=dict(min_top1=95.0, dataloader=_base_.test_dataloader))
