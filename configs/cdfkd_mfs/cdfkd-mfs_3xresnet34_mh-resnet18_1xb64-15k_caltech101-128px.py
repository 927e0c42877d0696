# CDFKD-MFS, three ResNet-34 teachers -> one 3-header ResNet-18 student on
# Caltech-101 at 128 px (101 classes, stratified 80/20 split), the official
# setting (scripts/CDFKD_MFS, resnet34 -> mhresnet18; losses and schedule in
# _base_cdfkd-mfs.py). First train the three teachers (one config, seeds 1,
# 2, 3; see its header):
#   configs/teachers/teacher_resnet34_caltech101-128px.py
_base_ = [
    './_base_cdfkd-mfs.py', '../_base_/models/resnet.py',
    '../_base_/datasets/caltech101_128px.py'
]
resnet34 = _base_.resnet34
resnet34.head.num_classes = 101
mh_resnet18 = _base_.mh_resnet18
mh_resnet18.num_classes = 101
teacher_dir = 'work_dirs/teacher_resnet34_caltech101-128px_seed'
model = dict(
    teachers=dict(  # teacher i <-> header i
        t1=dict(model=resnet34, checkpoint=teacher_dir + '1/weights.pth'),
        t2=dict(model=resnet34, checkpoint=teacher_dir + '2/weights.pth'),
        t3=dict(model=resnet34, checkpoint=teacher_dir + '3/weights.pth')),
    student=mh_resnet18,
    generator=dict(  # B2 (GeneratorLarge): Tanh, no output BN; PyTorch init
        type='DCGANGenerator', latent_dim=_base_.latent_dim, img_size=128,
        out_channels=3, out_bn=False, init_cfg=None),
    data_preprocessor=dict(mean=_base_.caltech101_mean,
                           std=_base_.caltech101_std, to_rgb=True))
train_dataloader = dict(batch_size=64)  # CDFKD-MFS
val_evaluator = [
    dict(type='mmpretrain.Accuracy', topk=(1, )),  # mean of the headers
    dict(type='HeaderAccuracy'),                   # each header alone
]
test_evaluator = val_evaluator
default_hooks = dict(teacher_check=dict(min_top1=50.0))
