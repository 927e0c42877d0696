# CDFKD-MFS, three ResNet-34 teachers -> one 3-header ResNet-18 student on
# mini-ImageNet at 224 px (100 classes, 60k images pooled, 80/20 split), the
# official setting (scripts/CDFKD_MFS, resnet34 -> mhresnet18): the losses
# of _base_cdfkd-mfs.py with w_ens 1, w_feat 0.05 and 100 epochs x 750
# iterations, x0.1 at epochs 30, 60, 90. First train the three teachers (one
# config, seeds 1, 2, 3; see its header):
#   configs/teachers/teacher_resnet34_mini-imagenet.py
_base_ = [
    './_base_cdfkd-mfs.py', '../_base_/models/resnet.py',
    '../_base_/datasets/mini_imagenet.py'
]
resnet34 = _base_.resnet34
resnet34.head.num_classes = 100
teacher_dir = 'work_dirs/teacher_resnet34_mini-imagenet_seed'
model = dict(
    teachers=dict(  # teacher i <-> header i
        t1=dict(model=resnet34, checkpoint=teacher_dir + '1/weights.pth'),
        t2=dict(model=resnet34, checkpoint=teacher_dir + '2/weights.pth'),
        t3=dict(model=resnet34, checkpoint=teacher_dir + '3/weights.pth')),
    student=_base_.mh_resnet18,
    generator=dict(  # B2 + output BN (GeneratorLargeBN); PyTorch init
        type='DCGANGenerator', latent_dim=_base_.latent_dim, img_size=224,
        out_channels=3, out_bn=True, init_cfg=None),
    loss_ens=dict(loss_weight=1.0), loss_feat=dict(loss_weight=0.05),
    data_preprocessor=dict(mean=_base_.imagenet_mean,
                           std=_base_.imagenet_std, to_rgb=True))
train_dataloader = dict(batch_size=64)  # CDFKD-MFS
step = dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
            milestones=[22500, 45000, 67500], end=75000)
param_scheduler = dict(generator=[step], student=[step])
# CDFKD-MFS tests every epoch (750 iterations); we every 5 epochs.
train_cfg = dict(max_iters=75000, val_interval=3750)
val_evaluator = [
    dict(type='mmpretrain.Accuracy', topk=(1, )),  # mean of the headers
    dict(type='HeaderAccuracy'),                   # each header alone
]
test_evaluator = val_evaluator
default_hooks = dict(
    checkpoint=dict(interval=7500), teacher_check=dict(min_top1=50.0),
    synthetic=dict(interval=7500))
