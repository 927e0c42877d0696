# CGDD on ImageNet-1k at 224 px with mmpretrain's zoo ResNet-34 as teacher
# (resnet34_8xb32_in1k, 73.62 % top-1; its weights download from the zoo)
# and a ResNet-18 student:
#   tools/dist_train.sh configs/cgdd/resnet34_resnet18_8xb32_in1k.py 8
# The CIFAR-100 config with 224 px networks, generator and data; the design
# and every value are ours (README.md, "Our design"). Not yet run at this
# size (no GPU was available): expect to tune the schedule.
_base_ = ['./resnet34_resnet18_cifar100.py']
num_classes = 1000
latent_dim = 256
max_iters = 60000
imagenet_mean = [123.675, 116.28, 103.53]  # RGB, 0..255
imagenet_std = [58.395, 57.12, 57.375]
model = dict(
    teacher=dict(_delete_=True, model='resnet34_8xb32_in1k',
                 checkpoint=None),  # None: the zoo's published weights
    student=dict(backbone=dict(type='ResNet'),
                 head=dict(num_classes=num_classes)),
    generator=dict(  # B2 with output BN (GeneratorLargeBN), 224 px
        _delete_=True, type='ConditionalDCGANGenerator',
        num_classes=num_classes, condition='embedding', latent_dim=latent_dim,
        img_size=224, out_channels=3, out_bn=True),
    # stages 1 and 2: 128 x 28 x 28 and 256 x 14 x 14 at 224 px
    data_preprocessor=dict(mean=imagenet_mean, std=imagenet_std,
                           to_rgb=True))

train_dataloader = dict(
    batch_size=32,  # per GPU: 8 x 32 = 256
    dataset=dict(latent_dim=latent_dim))
val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    dataset=dict(
        _delete_=True,
        type='mmpretrain.ImageNet',
        data_root='data/imagenet',  # mmpretrain's layout: val/, meta/
        split='val',  # the labelled held-out split
        pipeline=[
            dict(type='mmpretrain.LoadImageFromFile'),
            dict(type='mmpretrain.ResizeEdge', scale=256, edge='short'),
            dict(type='mmpretrain.CenterCrop', crop_size=224),
            dict(type='mmpretrain.PackInputs')
        ]))
test_dataloader = val_dataloader
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, 5))
test_evaluator = val_evaluator
param_scheduler = dict(
    generator=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                    milestones=[max_iters // 3, 2 * max_iters // 3])],
    student=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                  milestones=[max_iters // 3, 2 * max_iters // 3])])
train_cfg = dict(max_iters=max_iters, val_interval=5000)
default_hooks = dict(
    checkpoint=dict(interval=5000), teacher_check=dict(min_top1=60.0),
    synthetic=dict(interval=5000))
