# ZSKT, WRN pairs at 3x32x32 with the official schedule
# (scripts/ZeroShot/main*.sh): 80k pseudo-batches of 128 codes, each one
# generator + 10 student steps, cosine annealing of both lrs over the 80k,
# generator with 128 channels; accuracy logged every total / 100 batches
# (solver.py log_freq). The pair configs add the networks and the data.
_base_ = ['./_base_zskt.py', '../_base_/models/wide_resnet.py']
max_iters = 80000  # total_n_pseudo_batches 8e4
model = dict(
    generator=dict(out_channels=3, base_channels=128),
    data_preprocessor=dict(to_rgb=False))  # + dataset mean/std
cosine = dict(type='CosineAnnealingLR', by_epoch=False, begin=0,
              end=max_iters, T_max=max_iters, eta_min=0)
param_scheduler = dict(generator=[cosine], student=[cosine])
train_cfg = dict(max_iters=max_iters, val_interval=800)
default_hooks = dict(teacher_check=dict(min_top1=90.0),
                     checkpoint=dict(interval=8000),
                     synthetic=dict(interval=8000))
