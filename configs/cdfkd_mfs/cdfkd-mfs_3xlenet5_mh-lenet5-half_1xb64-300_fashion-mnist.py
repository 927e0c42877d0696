# CDFKD-MFS on Fashion-MNIST (32x32): the digits config with Fashion-MNIST's
# three teachers, normalisation and test split. First train the teachers
# (one config, seeds 1, 2, 3; see its header):
#   configs/teachers/teacher_lenet5-bn_fashion-mnist.py
_base_ = ['./cdfkd-mfs_3xlenet5_mh-lenet5-half_1xb64-300_digits.py']
teacher_dir = 'work_dirs/teacher_lenet5-bn_fashion-mnist_seed'
model = dict(
    teachers=dict(
        t1=dict(checkpoint=teacher_dir + '1/weights.pth'),
        t2=dict(checkpoint=teacher_dir + '2/weights.pth'),
        t3=dict(checkpoint=teacher_dir + '3/weights.pth')),
    # 0.2856 / 0.3385 (KegNet, PRE-DFKD) x 255, as the teacher config
    student=dict(data_preprocessor=dict(mean=[72.83], std=[86.32])),
    data_preprocessor=dict(mean=[72.83], std=[86.32]))
val_dataloader = dict(
    batch_size=500,
    dataset=dict(
        _delete_=True,
        type='GzFashionMNIST',
        data_root='/usr/share/datasets/fashion-mnist',
        split='test',
        pipeline=[
            dict(type='mmpretrain.Resize', scale=32),
            dict(type='mmpretrain.PackInputs')
        ]))
test_dataloader = val_dataloader
default_hooks = dict(teacher_check=dict(min_top1=80.0))
