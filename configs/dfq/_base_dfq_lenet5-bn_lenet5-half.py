# DFQ, LeNet-5 (BN) -> LeNet-5-Half at 1x32x32, sized for a 2-core CPU: the
# benchmark's B3 generator at a quarter width (ngf 16), batch 128, 400
# iterations of 1 + 10 steps, student cosine (benchmark: ngf 64, batch 256,
# 200 epochs x 40 iterations, MultiStepLR). The digits / Fashion-MNIST
# configs add the data, the teacher's weights and the normalisation.
_base_ = ['./_base_dfq.py', '../_base_/models/lenet5.py']
latent_dim, max_iters = 256, 400
model = dict(
    teacher=dict(model=_base_.lenet5_bn),
    student=_base_.lenet5_half,
    # the benchmark's Sigmoid B3 generator + Normalizer (mean / std: set by
    # the dataset config, the data_preprocessor's)
    generator=dict(
        type='NormalizedGenerator',
        generator=dict(type='InversionGenerator', latent_dim=latent_dim,
                       img_size=32, out_channels=1, base_channels=16)))
train_dataloader = dict(
    batch_size=128, num_workers=0, persistent_workers=False,
    dataset=dict(latent_dim=latent_dim))
param_scheduler = dict(
    generator=[],  # constant, as the benchmark
    student=[dict(type='CosineAnnealingLR', by_epoch=False, begin=0,
                  end=max_iters, T_max=max_iters, eta_min=1e-4)])
train_cfg = dict(max_iters=max_iters, val_interval=100)
default_hooks = dict(checkpoint=dict(interval=200),
                     synthetic=dict(interval=200))
