# CGDD, ResNet-34 -> ResNet-18 (torchvision-style) on Caltech-101 at 128 px
# (101 classes, the DFAD / CDFKD-MFS stratified 80/20 split). First train the
# teacher (seed 1 of its config; see its header):
#   configs/teachers/teacher_resnet34_caltech101-128px.py
# The CIFAR-100 config's losses and schedule (_base_cgdd_resnet34_resnet18.py)
# with 128 px networks, generator and data; the generator, batch and schedule
# are CDFKD-MFS's verified Caltech-101 ones. Not yet run at this size.
_base_ = [
    './_base_cgdd_resnet34_resnet18.py', '../_base_/models/resnet.py',
    '../_base_/datasets/caltech101_128px.py'
]
num_classes = 101
resnet34 = _base_.resnet34  # 7x7 stride-2 stem + max-pool
resnet34.head.num_classes = num_classes
model = dict(
    teacher=dict(
        model=resnet34,
        checkpoint='work_dirs/teacher_resnet34_caltech101-128px_seed1/'
        'weights.pth'),
    # ResNet_CIFAR -> ResNet (7x7 stride-2 stem + max-pool), same args
    student=dict(backbone=dict(type='ResNet'),
                 head=dict(num_classes=num_classes)),
    generator=dict(  # B2 (GeneratorLarge): Tanh, no output BN
        type='ConditionalDCGANGenerator', num_classes=num_classes,
        condition='embedding', latent_dim=_base_.latent_dim, img_size=128,
        out_channels=3, out_bn=False, init_cfg=None),
    # feature_stages 1, 2: 128 x 16 x 16 and 256 x 8 x 8 maps at 128 px
    data_preprocessor=dict(mean=_base_.caltech101_mean,
                           std=_base_.caltech101_std, to_rgb=True))
train_dataloader = dict(batch_size=64)  # CDFKD-MFS (one GPU)
