# CDFKD-MFS, second run on CIFAR-100: attention aggregation of the three
# headers of the ResNet-18 student, trained on 1 % of the real training
# split (500 labelled images); the student stays frozen
# (_base_cdfkd-mfs-attention.py). ICME CDFKD attention-train.py (CIFAR-10
# README command): 500 images, 30 epochs. What CDFKD-MFS used is not
# published. First run
#   configs/cdfkd_mfs/cdfkd-mfs_3xresnet34_mh-resnet18_1xb256-15k_cifar100.py
_base_ = [
    './_base_cdfkd-mfs-attention.py', '../_base_/models/multi_header.py',
    '../_base_/datasets/cifar100.py'
]
model = dict(
    student=_base_.mh_resnet18_cifar,
    student_checkpoint=('work_dirs/cdfkd-mfs_3xresnet34_mh-resnet18_'
                        '1xb256-15k_cifar100/student.pth'),
    data_preprocessor=dict(num_classes=100, mean=_base_.cifar100_mean,
                           std=_base_.cifar100_std, to_rgb=False))
train_dataloader = dict(
    dataset=dict(dataset=dict(_base_.val_dataloader.dataset, split='train')))
train_cfg = dict(max_epochs=30, val_interval=10)  # ICME
val_evaluator = [
    dict(type='mmpretrain.Accuracy', topk=(1, )),  # attention
    dict(type='HeaderAccuracy'),  # header/mean_top1 and each header
]
test_evaluator = val_evaluator
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=30))
