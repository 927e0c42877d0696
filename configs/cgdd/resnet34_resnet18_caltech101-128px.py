# CGDD, ResNet-34 -> ResNet-18 (torchvision-style) on Caltech-101 at 128 px
# (101 classes, the DFAD / CDFKD-MFS stratified 80/20 split). First train the
# teacher (seed 1 of its config; see its header):
#   configs/teachers/teacher_resnet34_caltech101-128px.py
# The CIFAR-100 config with the 128 px networks, generator and data; the
# design and every value are ours (README.md, "Our design"), the generator,
# batch and schedule CDFKD-MFS's verified Caltech-101 ones. Not yet run at
# this size (no GPU was available).
_base_ = ['./resnet34_resnet18_cifar100.py']
num_classes = 101
latent_dim = 256
mean_std = [127.5, 127.5, 127.5]  # Normalize(0.5, 0.5): the Tanh range
model = dict(
    teacher=dict(
        # ResNet_CIFAR -> ResNet (7x7 stride-2 stem + max-pool), same args
        model=dict(backbone=dict(type='ResNet'),
                   head=dict(num_classes=num_classes)),
        checkpoint='work_dirs/teacher_resnet34_caltech101-128px_seed1/'
        'weights.pth'),
    student=dict(backbone=dict(type='ResNet'),
                 head=dict(num_classes=num_classes)),
    generator=dict(  # B2 (GeneratorLarge): Tanh, no output BN
        _delete_=True, type='ConditionalDCGANGenerator',
        num_classes=num_classes, condition='embedding', latent_dim=latent_dim,
        img_size=128, out_channels=3, out_bn=False, init_cfg=None),
    # stages 1 and 2: 128 x 16 x 16 and 256 x 8 x 8 at 128 px
    data_preprocessor=dict(mean=mean_std, std=mean_std, to_rgb=True))

train_dataloader = dict(
    batch_size=64,  # CDFKD-MFS (one GPU)
    dataset=dict(latent_dim=latent_dim))
val_dataloader = dict(
    batch_size=64,
    dataset=dict(
        _delete_=True,
        type='Caltech101Split',
        data_root='data/caltech-101',
        split='test',
        pipeline=[
            dict(type='mmpretrain.LoadImageFromFile'),
            dict(type='mmpretrain.ResizeEdge', scale=128, edge='short'),
            dict(type='mmpretrain.CenterCrop', crop_size=128),
            dict(type='mmpretrain.PackInputs')
        ]))
test_dataloader = val_dataloader
default_hooks = dict(teacher_check=dict(min_top1=50.0))
