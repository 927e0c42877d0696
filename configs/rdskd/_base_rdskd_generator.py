# RDSKD stage 2 (of 3): train the generator against the frozen teacher; no
# student. Official setting (generator-train.py): batch 512 (two half-batches
# of 256), 20 epochs x 120 iterations, Adam 1e-3, no loss weights; the
# dataset configs add the teacher, the latent size and the data. The run
# writes work_dirs/<config name>/generator.pth, which stage 3 loads.

_base_ = ['../_base_/datasets/latent.py', '../_base_/dfkd_runtime.py']
model = dict(
    type='RDSKD',
    generator=dict(type='DAFLGenerator', img_size=32),  # B1 by default
    loss_oh=dict(type='OneHotLoss'),                         # authenticity
    # class diversity in nats (log base e, written out: a config that
    # imports `math` does not load in a virtualenv with mmengine 0.10)
    loss_ie=dict(type='InfoEntropyLoss', log_base=2.718281828459045),
    loss_ds=dict(type='ModeSeekingLoss'),                    # sample div.
    epoch_length=120,  # RDSKD: snapshots of L_oh, L_ie once per epoch
    data_preprocessor=dict(type='DFKDDataPreprocessor'))  # + dataset mean/std

train_dataloader = dict(batch_size=512)  # RDSKD: two half-batches of 256
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adam', lr=1e-3)))  # RDSKD, constant
# RDSKD: 20 epochs x 120 iterations. No validation loop: the run has no
# student; the teacher is checked on the real test split first (the dataset
# config sets val_dataloader etc. to None).
train_cfg = dict(type='DFKDIterBasedTrainLoop', max_iters=2400)
val_cfg = None
test_cfg = None
default_hooks = dict(
    checkpoint=dict(interval=1200), synthetic=dict(interval=1200))
custom_hooks = [
    dict(type='ExportWeightsHook', module='generator',
         filename='generator.pth')
]
