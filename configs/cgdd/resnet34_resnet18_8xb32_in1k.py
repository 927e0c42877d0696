# CGDD on ImageNet-1k at 224 px with mmpretrain's zoo ResNet-34 as teacher
# (resnet34_8xb32_in1k, 73.62 % top-1; its weights download from the zoo)
# and a ResNet-18 student:
#   tools/dist_train.sh configs/cgdd/resnet34_resnet18_8xb32_in1k.py 8
# The CIFAR-100 config's losses (_base_cgdd_resnet34_resnet18.py) with
# 224 px networks, generator and data, 60k iterations; the design and every
# value are ours (README.md, "Our design"). Not yet run at this size (no GPU
# was available): expect to tune the schedule.
_base_ = [
    './_base_cgdd_resnet34_resnet18.py', '../_base_/datasets/imagenet.py'
]
num_classes = 1000
max_iters = 60000
model = dict(
    teacher=dict(model='resnet34_8xb32_in1k',
                 checkpoint=None),  # None: the zoo's published weights
    student=dict(backbone=dict(type='ResNet'),
                 head=dict(num_classes=num_classes)),
    generator=dict(  # B2 with output BN (GeneratorLargeBN), 224 px
        type='ConditionalDCGANGenerator', num_classes=num_classes,
        condition='embedding', latent_dim=_base_.latent_dim, img_size=224,
        out_channels=3, out_bn=True),
    # feature_stages 1, 2: 128 x 28 x 28 and 256 x 14 x 14 maps at 224 px
    data_preprocessor=dict(mean=_base_.imagenet_mean,
                           std=_base_.imagenet_std, to_rgb=True))
milestones = [max_iters // 3, 2 * max_iters // 3]  # x0.1, as CIFAR-100's
param_scheduler = dict(
    generator=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                    milestones=milestones)],
    student=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                  milestones=milestones)])
train_cfg = dict(max_iters=max_iters, val_interval=5000)
default_hooks = dict(
    checkpoint=dict(interval=5000), teacher_check=dict(min_top1=60.0),
    synthetic=dict(interval=5000))
