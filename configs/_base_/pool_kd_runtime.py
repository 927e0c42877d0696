# Runtime of the pool-based methods (DeepInversion, CMI, Fast, NAYER): one
# iteration is one KD step of the student on pool images; synthesis rounds
# run inside train_step with the synthesizer's own optimisers, so the only
# optim wrapper is the student's. Builds on the DFKD runtime.
_base_ = ['./dfkd_runtime.py']
# The train loader is only the loop's clock: a synthesizer draws its own
# noise (seeded per rank), so the codes are one number each.
train_dataloader = dict(
    batch_size=1, num_workers=0, persistent_workers=False,
    sampler=dict(type='ResumableSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='LatentDataset', latent_dim=1))
# The image grid shows the pool (what the student learns from).
default_hooks = dict(synthetic=dict(interval=1000, num_images=64))
# Under DDP each rank keeps its own pool shard and synthesizer state; this
# hook gathers them on rank 0 before each (iteration-based) checkpoint.
custom_hooks = [dict(type='RankShardsHook')]
