# RDSKD stage 3 (of 3): LeNet-5 -> LeNet-5-Half by KD on images of the
# frozen stage-2 generator, on MNIST (32x32); the official setting
# (_base_rdskd_student.py). First run stage 2:
#   python tools/train.py \
#       configs/rdskd/rdskd_generator_lenet5_1xb512-2.4k_mnist.py
_base_ = [
    './_base_rdskd_student.py', '../_base_/models/lenet5.py',
    '../_base_/datasets/mnist.py'
]
latent_dim = 100  # must match the stage-2 generator
model = dict(
    teacher=dict(
        model=_base_.lenet5,
        checkpoint='work_dirs/teacher_lenet5_mnist/weights.pth'),
    student=_base_.lenet5_half,
    generator=dict(latent_dim=latent_dim, out_channels=1),
    generator_checkpoint=(
        'work_dirs/rdskd_generator_lenet5_1xb512-2.4k_mnist/generator.pth'),
    data_preprocessor=dict(mean=_base_.mnist_mean, std=_base_.mnist_std))
train_dataloader = dict(dataset=dict(latent_dim=latent_dim))
default_hooks = dict(teacher_check=dict(min_top1=95.0))
