# CDFKD-MFS, second run on CIFAR-100: attention aggregation of the three
# headers of the ResNet-18 student, trained on 1 % of the real training
# split (500 labelled images, drawn with a fixed seed); the student stays
# frozen. First run
#   configs/cdfkd_mfs/cdfkd-mfs_3xresnet34_mh-resnet18_1xb256-15k_cifar100.py
# ICME CDFKD attention-train.py (CIFAR-10 README command): 500 images,
# Adam 0.01, batch 100, 30 epochs. What CDFKD-MFS used is not published.
_base_ = [
    '../_base_/models/multi_header.py', '../_base_/datasets/cifar100.py',
    '../_base_/default_runtime.py'
]
model = dict(
    type='AttentionAggregation',
    student=_base_.mh_resnet18_cifar,
    # the student exported by the first run (plain weights)
    student_checkpoint=('work_dirs/cdfkd-mfs_3xresnet34_mh-resnet18_'
                        '1xb256-15k_cifar100/student.pth'),
    student_prefix=None,
    data_preprocessor=dict(
        type='mmpretrain.ClsDataPreprocessor', num_classes=100,
        mean=_base_.cifar100_mean, std=_base_.cifar100_std, to_rgb=False))

train_dataloader = dict(
    batch_size=100,  # ICME CDFKD
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='FewShotSubset',
        ratio=0.01,  # 500 images, as the ICME CIFAR-10 command
        seed=0,
        dataset=dict(
            type='mmpretrain.CIFAR100', data_root='data/cifar100',
            split='train', pipeline=[dict(type='mmpretrain.PackInputs')])))

optim_wrapper = dict(optimizer=dict(type='Adam', lr=0.01))  # ICME CDFKD
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=10)  # ICME
val_cfg = dict()
test_cfg = dict()
val_evaluator = [
    dict(type='mmpretrain.Accuracy', topk=(1, )),  # attention
    dict(type='HeaderAccuracy'),  # header/mean_top1 and each header
]
test_evaluator = val_evaluator
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(by_epoch=True, interval=30, max_keep_ckpts=1))
log_processor = dict(by_epoch=True)
# work_dir/student.pth: the student with its trained attention, for
# mmpretrain's inference APIs (build the student with aggregation='attention')
custom_hooks = [
    dict(type='ExportWeightsHook', module='student', filename='student.pth')
]
