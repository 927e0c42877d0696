# Wide ResNets (xternalz/WideResNet-pytorch layout), the WRN pairs of the
# DFKD benchmarks; mmpretrain has none. Set head.num_classes per dataset.
wrn40_2 = dict(
    _scope_='mmpretrain',  # nested types resolve in mmpretrain
    type='ImageClassifier',
    backbone=dict(type='mmdfkd.WideResNet', depth=40, widen_factor=2),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=128))
wrn40_1 = dict(
    _scope_='mmpretrain',  # nested types resolve in mmpretrain
    type='ImageClassifier',
    backbone=dict(type='mmdfkd.WideResNet', depth=40, widen_factor=1),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=64))
wrn16_2 = dict(
    _scope_='mmpretrain',  # nested types resolve in mmpretrain
    type='ImageClassifier',
    backbone=dict(type='mmdfkd.WideResNet', depth=16, widen_factor=2),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=128))
wrn16_1 = dict(
    _scope_='mmpretrain',  # nested types resolve in mmpretrain
    type='ImageClassifier',
    backbone=dict(type='mmdfkd.WideResNet', depth=16, widen_factor=1),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=64))
