# RDSKD stage 3 (of 3): LeNet-5 -> LeNet-5-Half by KD on images of the
# stage-2 generator, frozen in eval mode (its BN running statistics), on
# scikit-learn digits (32x32). Sized for a 2-core CPU. First run stage 2:
#   python tools/train.py \
#       configs/rdskd/rdskd_generator_lenet5_1xb256-600_digits.py
# Paper setting (MNIST, official student-train.py): batch 512, 1000 epochs x
# 120 iterations, Adam 2e-3 (wd 0), KD at temperature 10, constant lr.
_base_ = [
    '../_base_/models/lenet5.py', '../_base_/datasets/digits.py',
    '../_base_/dfkd_runtime.py'
]
latent_dim = 100  # must match the stage-2 generator
model = dict(
    type='FrozenGeneratorKD',
    teacher=dict(
        model=_base_.lenet5,
        checkpoint='work_dirs/teacher_lenet5_digits/weights.pth'),
    student=_base_.lenet5_half,
    generator=dict(
        type='DAFLGenerator', latent_dim=latent_dim, img_size=32,
        out_channels=1, base_channels=32),  # as in the stage-2 config
    generator_checkpoint=(
        'work_dirs/rdskd_generator_lenet5_1xb256-600_digits/generator.pth'),
    loss_kd=dict(type='KDLoss', tau=10.0),  # RDSKD: T = 10
    data_preprocessor=dict(
        type='DFKDDataPreprocessor', mean=_base_.digits_mean,
        std=_base_.digits_std))

train_dataloader = dict(
    batch_size=256,  # 512 in the paper
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='LatentDataset', latent_dim=latent_dim))

optim_wrapper = dict(
    constructor='PerModuleOptimWrapperConstructor',
    student=dict(optimizer=dict(type='Adam', lr=2e-3)))  # RDSKD MNIST
# constant learning rate (no param_scheduler), as the official MNIST code

train_cfg = dict(max_iters=2000, val_interval=500)
default_hooks = dict(
    checkpoint=dict(interval=1000),
    teacher_check=dict(min_top1=90.0),
    synthetic=dict(interval=1000, generator_mode='eval'))
