# Epoch-based supervised training of a small teacher: Adam 2e-3, cosine decay
# over 10 epochs, validation and a checkpoint every 5 epochs. Builds on the
# default runtime: list this file instead of default_runtime.py, not with it.
_base_ = ['../default_runtime.py']
optim_wrapper = dict(optimizer=dict(type='Adam', lr=2e-3))
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=True, T_max=10)
train_cfg = dict(by_epoch=True, max_epochs=10, val_interval=5)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(by_epoch=True, interval=5, max_keep_ckpts=1))
log_processor = dict(by_epoch=True)
