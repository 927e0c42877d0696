# CDFKD-MFS's CIFAR-100 / Caltech-101 schedule (scripts/CDFKD_MFS; DFAD's
# optimisers): generator Adam 1e-3, student SGD 0.1 (m 0.9, wd 5e-4), both
# x0.1 at epochs 100 and 200 of 300 x 50 iterations. Builds on the DFKD
# runtime: list this file instead of dfkd_runtime.py, not with it.
_base_ = ['../dfkd_runtime.py']
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adam', lr=1e-3)),
    student=dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4)))
param_scheduler = dict(
    generator=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                    milestones=[5000, 10000], end=15000)],
    student=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                  milestones=[5000, 10000], end=15000)])
# CDFKD-MFS tests every epoch (50 iterations); we every 10 epochs.
train_cfg = dict(max_iters=15000, val_interval=500)
default_hooks = dict(
    checkpoint=dict(interval=2500), synthetic=dict(interval=2500))
