# CGDD on Fashion-MNIST (32x32): the digits config with Fashion-MNIST's
# teacher, normalisation and test split. First train the teacher:
#   python tools/train.py configs/teachers/teacher_lenet5-bn_fashion-mnist.py \
#       --cfg-options randomness.seed=1 \
#       --work-dir work_dirs/teacher_lenet5-bn_fashion-mnist_seed1
_base_ = ['./cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py']
model = dict(
    teacher=dict(checkpoint='work_dirs/teacher_lenet5-bn_fashion-mnist_seed1/'
                 'weights.pth'),
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
