# LeNet-5 as used by DAFL / DFAD / RDSKD (ReLU, max-pool, 1x32x32 input) and
# the DAFL variant of LeNet-5-Half (every width halved). See
# shared small-benchmarks §6 and docs/models.md.
lenet5 = dict(  # 61,706 parameters
    _scope_='mmpretrain',  # nested types resolve in mmpretrain
    type='ImageClassifier',
    backbone=dict(type='mmdfkd.DAFLLeNet5', in_channels=1,
                  channels=(6, 16, 120)),
    head=dict(type='StackedLinearClsHead', num_classes=10, in_channels=120,
              mid_channels=[84]))
# LeNet-5 with a BatchNorm after each convolution (ours, not in DAFL): a
# digits teacher with BN running statistics for the BN-statistics loss.
lenet5_bn = dict(  # 61,848 parameters
    _scope_='mmpretrain',  # nested types resolve in mmpretrain
    type='ImageClassifier',
    backbone=dict(type='mmdfkd.DAFLLeNet5', in_channels=1,
                  channels=(6, 16, 120), norm_cfg=dict(type='BN')),
    head=dict(type='StackedLinearClsHead', num_classes=10, in_channels=120,
              mid_channels=[84]))
lenet5_half = dict(  # 15,738 parameters
    _scope_='mmpretrain',  # nested types resolve in mmpretrain
    type='ImageClassifier',
    backbone=dict(type='mmdfkd.DAFLLeNet5', in_channels=1,
                  channels=(3, 8, 60)),
    head=dict(type='StackedLinearClsHead', num_classes=10, in_channels=60,
              mid_channels=[42]))
# Multi-header LeNet-5-Half student (ours, by analogy with CDFKD-MFS §3.2):
# shared LeNet-5-Half trunk + 3 SepConv branches, 60-d header features
# (the LeNet-5 teacher's feature is 120-d). 41,842 parameters.
mh_lenet5_half = dict(
    _scope_='mmdfkd',  # builds under any default scope (e.g. mmpretrain's)
    type='MultiHeaderClassifier',
    backbone=dict(type='MultiHeaderLeNet5', in_channels=1,
                  channels=(3, 8, 60), num_heads=3),
    num_classes=10)
