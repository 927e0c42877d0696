# CDFKD-MFS, second run on Fashion-MNIST: the digits attention config with
# Fashion-MNIST's data (1 % = 600 labelled images, as ICME CDFKD's MNIST
# run) and student. First run
#   configs/cdfkd_mfs/
#       cdfkd-mfs_3xlenet5_mh-lenet5-half_1xb64-300_fashion-mnist.py
_base_ = [
    './_base_cdfkd-mfs-attention.py', '../_base_/models/lenet5.py',
    '../_base_/datasets/fashion_mnist.py'
]
norm = dict(mean=_base_.fashion_mnist_mean, std=_base_.fashion_mnist_std)
model = dict(
    # its normalisation travels with the exported student
    student=dict(_base_.mh_lenet5_half, data_preprocessor=norm),
    student_checkpoint=('work_dirs/cdfkd-mfs_3xlenet5_mh-lenet5-half_'
                        '1xb64-300_fashion-mnist/student.pth'),
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
