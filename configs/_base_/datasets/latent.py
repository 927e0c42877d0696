# Training data of every data-free run: latent codes, no images.
# LatentDataset draws code i from a generator seeded by (seed, i), so resumed
# and distributed runs see the same codes (docs/design.md, "No real training
# data"). A config sets the code size (its generator's latent_dim) and, where
# it differs, the batch, e.g.
#   train_dataloader = dict(batch_size=64, dataset=dict(latent_dim=256))
# and codes_per_sample when one iteration takes several batches (DFAD's
# student_steps + 1). 2-core CPU configs set num_workers=0,
# persistent_workers=False.
train_dataloader = dict(
    batch_size=256,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='ResumableSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(type='LatentDataset'))  # latent_dim: set by the config
