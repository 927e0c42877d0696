# RDSKD stage 2 against a LeNet-5 teacher at 32x32, sized for a 2-core CPU:
# 5 epochs of 120 iterations at batch 256 (the paper: 20 at 512) and a
# 32-channel generator (128). The digits and Fashion-MNIST configs add the
# teacher's weights and the data.
_base_ = ['./_base_rdskd_generator.py', '../_base_/models/lenet5.py']
latent_dim = 100  # MNIST setting of the official README
model = dict(
    teacher=dict(model=_base_.lenet5),
    generator=dict(latent_dim=latent_dim, out_channels=1, base_channels=32))
train_dataloader = dict(
    batch_size=256, num_workers=0, persistent_workers=False,
    dataset=dict(latent_dim=latent_dim))
train_cfg = dict(max_iters=600)
default_hooks = dict(
    checkpoint=dict(interval=300),
    synthetic=dict(interval=300, generator_mode='eval'))  # as stage 3 sees it
