# Multi-header students of CDFKD-MFS (https://arxiv.org/abs/2205.11845),
# one header per teacher (3 teachers in every script of the official code),
# prediction = mean of the header logits. Parameter counts for 3 headers,
# K = 100 (+101 for the attention layer), vs the method notes' §3.2/§3.3.
# `_scope_` lets them build under any default scope (e.g. mmpretrain's
# inference APIs); the data preprocessor defaults to mmpretrain's
# ClsDataPreprocessor.
mh_resnet18_cifar = dict(  # 32 px, 18,164,076 params (ref. 18.2 M)
    _scope_='mmdfkd',
    type='MultiHeaderClassifier',
    backbone=dict(type='MultiHeaderResNet', depth=18, num_heads=3,
                  stem='cifar'),
    num_classes=100)  # CIFAR-100
mh_resnet18 = dict(  # 128/224 px, 18,171,756 params
    _scope_='mmdfkd',
    type='MultiHeaderClassifier',
    backbone=dict(type='MultiHeaderResNet', depth=18, num_heads=3,
                  stem='imagenet'),
    num_classes=100)  # mini-ImageNet; 101 for Caltech-101
mh_wrn40_2 = dict(  # 2,710,012 params (ref. 2.71 M)
    _scope_='mmdfkd',
    type='MultiHeaderClassifier',
    backbone=dict(type='MultiHeaderWideResNet', depth=40, widen_factor=2,
                  num_heads=3),
    num_classes=100)
mh_wrn16_2 = dict(  # 1,158,140 params (ref. 1.16 M)
    _scope_='mmdfkd',
    type='MultiHeaderClassifier',
    backbone=dict(type='MultiHeaderWideResNet', depth=16, widen_factor=2,
                  num_heads=3),
    num_classes=100)
mh_wrn16_1 = dict(  # 307,836 params (ref. 0.31 M)
    _scope_='mmdfkd',
    type='MultiHeaderClassifier',
    backbone=dict(type='MultiHeaderWideResNet', depth=16, widen_factor=1,
                  num_heads=3),
    num_classes=100)
