# DAFL, LeNet-5 -> LeNet-5-Half on Fashion-MNIST (32x32), sized for a 2-core
# CPU (published anchor: ZSKD 79.62 with a 90.84 teacher): the digits config
# with Fashion-MNIST's teacher, normalisation and test split. First train the
# teacher:
#   python tools/train.py configs/teachers/teacher_lenet5_fashion-mnist.py
_base_ = ['./dafl_lenet5_lenet5-half_1xb128-2k_digits.py']
model = dict(
    teacher=dict(
        checkpoint='work_dirs/teacher_lenet5_fashion-mnist/weights.pth'),
    # 0.2856 / 0.3385 (KegNet, PRE-DFKD) x 255, as the teacher config
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
train_cfg = dict(max_iters=3000, val_interval=500)
