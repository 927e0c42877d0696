# torchvision-style ResNet-34 of mmpretrain (7x7 stride-2 stem + max-pool) for
# 128 / 224 px inputs: the ResNet-34 teachers of CDFKD-MFS on Caltech-101
# and mini-ImageNet (nets/resnet.py). Set head.num_classes per dataset.
resnet34 = dict(
    _scope_='mmpretrain',  # nested types resolve in mmpretrain
    type='ImageClassifier',
    backbone=dict(type='ResNet', depth=34, num_stages=4, out_indices=(3, ),
                  style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=1000, in_channels=512,
              loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
