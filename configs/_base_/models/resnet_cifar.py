# CIFAR ResNets of mmpretrain (3x3 stride-1 stem, no max-pool), the
# ResNet-34 -> ResNet-18 pair of DAFL / DFAD / CMI. Set head.num_classes for
# CIFAR-100.
resnet34_cifar = dict(
    _scope_='mmpretrain',  # nested types resolve in mmpretrain
    type='ImageClassifier',
    backbone=dict(type='ResNet_CIFAR', depth=34, num_stages=4,
                  out_indices=(3, ), style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=512,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
resnet18_cifar = dict(
    _scope_='mmpretrain',  # nested types resolve in mmpretrain
    type='ImageClassifier',
    backbone=dict(type='ResNet_CIFAR', depth=18, num_stages=4,
                  out_indices=(3, ), style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=512,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
# A narrowed CIFAR ResNet-18 for 1-channel 32x32 data (ours): widths 16 /
# 32 / 64 / 128 instead of 64 ... 512 (about 1/16 of the compute), a BN
# ResNet teacher family next to LeNet-5 (teacher_resnet18-narrow_digits.py).
resnet18_cifar_narrow = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(type='ResNet_CIFAR', depth=18, num_stages=4, in_channels=1,
                  stem_channels=16, base_channels=16, out_indices=(3, ),
                  style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=128,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
