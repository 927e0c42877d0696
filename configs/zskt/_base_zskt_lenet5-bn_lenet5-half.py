# ZSKT, LeNet-5 (BN) -> LeNet-5-Half at 1x32x32, sized for a 2-core CPU;
# each change from the official setting and its measured effect is in
# README.md ("Differences"). The digits / Fashion-MNIST configs add the
# data, the teacher's weights and the normalisation.
_base_ = ['./_base_zskt.py', '../_base_/models/lenet5.py']
max_iters = 150  # pseudo-batches (official: 80k)
model = dict(
    teacher=dict(model=_base_.lenet5_bn),
    student=dict(_base_.lenet5_half,
                 type='mmdfkd.FeatureMapClassifier'),  # + mode='stages'
    generator=dict(out_channels=1, base_channels=32),  # official: 128
    # at_stages derived: blocks 0 and 1, (6, 14, 14) / (16, 5, 5) teacher
    # maps against (3, 14, 14) / (8, 5, 5) student maps; beta 250 -> 25
    loss_at=dict(loss_weight=25.0),
    regenerate=False)  # G(z) once per pseudo-batch: same updates, 2.4x faster
train_dataloader = dict(batch_size=512,  # official: 128
                        num_workers=0, persistent_workers=False)
cosine = dict(type='CosineAnnealingLR', by_epoch=False, begin=0,
              end=max_iters, T_max=max_iters, eta_min=0)
param_scheduler = dict(generator=[cosine], student=[cosine])
train_cfg = dict(max_iters=max_iters, val_interval=50)
default_hooks = dict(checkpoint=dict(interval=max_iters),
                     synthetic=dict(interval=max_iters))
