# Epoch-based supervised training of a ResNet / WRN teacher, the recipe of
# CDFKD-MFS's DataTrain.py: SGD 0.1 (m 0.9, wd 5e-4), x0.1 at epochs 80 and
# 120, 200 epochs, validation and a checkpoint every 10 epochs. Builds on the
# default runtime: list this file instead of default_runtime.py, not with it.
_base_ = ['../default_runtime.py']
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[80, 120], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=10)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(by_epoch=True, interval=10, max_keep_ckpts=2))
log_processor = dict(by_epoch=True)
