# CDFKD-MFS, three ResNet-34 teachers -> one 3-header ResNet-18 student on
# CIFAR-100, the official setting (scripts/CDFKD_MFS, resnet8x34 ->
# mhresnet8x18; losses and schedule in _base_cdfkd-mfs.py). First train the
# three teachers (mmpretrain's CIFAR-100 recipe; CDFKD-MFS trains its own
# with DataTrain.py):
#   for s in 1 2 3; do tools/dist_train.sh \
#       configs/teachers/teacher_resnet34_8xb16_cifar100.py 8 \
#       --cfg-options randomness.seed=$s \
#       --work-dir work_dirs/teacher_resnet34_8xb16_cifar100_seed$s; done
_base_ = [
    './_base_cdfkd-mfs.py', '../_base_/models/resnet_cifar.py',
    '../_base_/datasets/cifar100.py'
]
resnet34_cifar100 = _base_.resnet34_cifar
resnet34_cifar100.head.num_classes = 100
teacher_dir = 'work_dirs/teacher_resnet34_8xb16_cifar100_seed'
model = dict(
    teachers=dict(  # teacher i <-> header i
        t1=dict(model=resnet34_cifar100,
                checkpoint=teacher_dir + '1/weights.pth'),
        t2=dict(model=resnet34_cifar100,
                checkpoint=teacher_dir + '2/weights.pth'),
        t3=dict(model=resnet34_cifar100,
                checkpoint=teacher_dir + '3/weights.pth')),
    student=_base_.mh_resnet18_cifar,
    generator=dict(
        type='DAFLGenerator', latent_dim=_base_.latent_dim, img_size=32,
        out_channels=3, base_channels=128, bn_eps=0.8),  # B1 (gan.Generator)
    data_preprocessor=dict(mean=_base_.cifar100_mean,
                           std=_base_.cifar100_std, to_rgb=False))
val_evaluator = [
    dict(type='mmpretrain.Accuracy', topk=(1, )),  # mean of the headers
    dict(type='HeaderAccuracy'),                   # each header alone
]
test_evaluator = val_evaluator
default_hooks = dict(teacher_check=dict(min_top1=70.0))
