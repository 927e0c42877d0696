# RDSKD stage 2 (of 3) on Fashion-MNIST (32x32): the digits config with
# Fashion-MNIST's teacher, normalisation and test split. Stage 1:
#   python tools/train.py configs/teachers/teacher_lenet5_fashion-mnist.py
_base_ = ['./rdskd_generator_lenet5_1xb256-600_digits.py']
model = dict(
    teacher=dict(
        checkpoint='work_dirs/teacher_lenet5_fashion-mnist/weights.pth'),
    # 0.2856 / 0.3385 (KegNet, PRE-DFKD) x 255, as the teacher config
    data_preprocessor=dict(mean=[72.83], std=[86.32]))
default_hooks = dict(
    teacher_check=dict(
        min_top1=80.0,
        dataloader=dict(
            batch_size=500,
            dataset=dict(
                _delete_=True,
                type='GzFashionMNIST',
                data_root='/usr/share/datasets/fashion-mnist',
                split='test',
                pipeline=[
                    dict(type='mmpretrain.Resize', scale=32),
                    dict(type='mmpretrain.PackInputs')
                ]))))
