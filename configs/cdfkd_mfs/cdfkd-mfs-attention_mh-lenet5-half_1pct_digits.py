# CDFKD-MFS, second run: attention aggregation of the three headers of the
# digits student, trained on 1 % of the real training split (13 labelled
# images); the student stays frozen (_base_cdfkd-mfs-attention.py). ICME
# CDFKD attention-train.py (MNIST): 100 epochs. First run
#   configs/cdfkd_mfs/cdfkd-mfs_3xlenet5_mh-lenet5-half_1xb64-300_digits.py
_base_ = [
    './_base_cdfkd-mfs-attention.py', '../_base_/models/lenet5.py',
    '../_base_/datasets/digits.py'
]
norm = dict(mean=_base_.digits_mean, std=_base_.digits_std)
model = dict(
    # its normalisation travels with the exported student
    student=dict(_base_.mh_lenet5_half, data_preprocessor=norm),
    student_checkpoint=('work_dirs/cdfkd-mfs_3xlenet5_mh-lenet5-half_'
                        '1xb64-300_digits/student.pth'),
    data_preprocessor=dict(num_classes=10, **norm))
train_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(dataset=dict(_base_.val_dataloader.dataset, split='train')))
train_cfg = dict(max_epochs=100, val_interval=50)
val_evaluator = [
    dict(type='mmpretrain.Accuracy', topk=(1, )),  # attention
    dict(type='HeaderAccuracy'),  # header/mean_top1 and each header
]
test_evaluator = val_evaluator
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=100))
