# CDFKD-MFS, three LeNet-5 (BN) teachers -> one 3-header LeNet-5-Half
# student on scikit-learn digits (32x32); CPU sizing in
# _base_cdfkd-mfs_3xlenet5_mh-lenet5-half.py. First train the three teachers
# (one config, three seeds; see its header):
#   configs/teachers/teacher_lenet5-bn_digits.py
_base_ = [
    './_base_cdfkd-mfs_3xlenet5_mh-lenet5-half.py',
    '../_base_/datasets/digits.py'
]
teacher_dir = 'work_dirs/teacher_lenet5-bn_digits_seed'
norm = dict(mean=_base_.digits_mean, std=_base_.digits_std)
model = dict(
    teachers=dict(
        t1=dict(checkpoint=teacher_dir + '1/weights.pth'),
        t2=dict(checkpoint=teacher_dir + '2/weights.pth'),
        t3=dict(checkpoint=teacher_dir + '3/weights.pth')),
    student=dict(data_preprocessor=norm),
    data_preprocessor=norm)
val_evaluator = [
    dict(type='mmpretrain.Accuracy', topk=(1, )),  # mean of the headers
    dict(type='HeaderAccuracy'),                   # each header alone
]
test_evaluator = val_evaluator
default_hooks = dict(teacher_check=dict(min_top1=90.0))
