# RDSKD stage 3, LeNet-5 -> LeNet-5-Half at 32x32, sized for a 2-core CPU:
# batch 256 (512), 2000 iterations (120k), the 32-channel stage-2 generator
# of _base_rdskd_generator_lenet5.py. The digits and Fashion-MNIST configs
# add the teacher's and generator's weights and the data.
_base_ = ['./_base_rdskd_student.py', '../_base_/models/lenet5.py']
latent_dim = 100  # must match the stage-2 generator
model = dict(
    teacher=dict(model=_base_.lenet5),
    student=_base_.lenet5_half,
    generator=dict(latent_dim=latent_dim, out_channels=1, base_channels=32))
train_dataloader = dict(
    batch_size=256, num_workers=0, persistent_workers=False,
    sampler=dict(shuffle=True),
    dataset=dict(_delete_=True, type='LatentDataset', latent_dim=latent_dim))
# constant learning rate (no param_scheduler), as the official MNIST code
train_cfg = dict(max_iters=2000, val_interval=500)
default_hooks = dict(
    checkpoint=dict(interval=1000), synthetic=dict(interval=1000))
