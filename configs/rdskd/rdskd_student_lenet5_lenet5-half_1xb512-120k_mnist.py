# RDSKD stage 3 (of 3): LeNet-5 -> LeNet-5-Half by KD on images of the
# stage-2 generator, frozen in eval mode (its BN running statistics), on
# MNIST (32x32). First run stage 2:
#   python tools/train.py \
#       configs/rdskd/rdskd_generator_lenet5_1xb512-2.4k_mnist.py
# Official setting (student-train.py, MNIST): batch 512, 1000 epochs x
# 120 iterations, Adam 2e-3 (wd 0), KD at temperature 10, constant lr; the
# last model is kept.
_base_ = [
    '../_base_/models/lenet5.py', '../_base_/datasets/mnist.py',
    '../_base_/dfkd_runtime.py'
]
latent_dim = 100  # must match the stage-2 generator
model = dict(
    type='FrozenGeneratorKD',
    teacher=dict(
        model=_base_.lenet5,
        checkpoint='work_dirs/teacher_lenet5_mnist/weights.pth'),
    student=_base_.lenet5_half,
    generator=dict(
        type='DAFLGenerator', latent_dim=latent_dim, img_size=32,
        out_channels=1),  # as in the stage-2 config
    generator_checkpoint=(
        'work_dirs/rdskd_generator_lenet5_1xb512-2.4k_mnist/generator.pth'),
    loss_kd=dict(type='KDLoss', tau=10.0),  # RDSKD: T = 10
    data_preprocessor=dict(
        type='DFKDDataPreprocessor', mean=_base_.mnist_mean,
        std=_base_.mnist_std))

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
    student=dict(optimizer=dict(type='Adam', lr=2e-3)))  # RDSKD MNIST
# constant learning rate (no param_scheduler), as the official MNIST code

# RDSKD: 1000 epochs x 120 iterations; it tests every 10 iterations, we
# every 10 epochs.
train_cfg = dict(max_iters=120000, val_interval=1200)
default_hooks = dict(
    checkpoint=dict(interval=12000),
    teacher_check=dict(min_top1=95.0),
    synthetic=dict(interval=12000, generator_mode='eval'))
