# RDSKD stage 3 (of 3) on Fashion-MNIST (32x32): the digits config with
# Fashion-MNIST's teacher, normalisation, test split and stage-2 generator.
# First run stage 2:
#   python tools/train.py \
#       configs/rdskd/rdskd_generator_lenet5_1xb256-600_fashion-mnist.py
_base_ = ['./rdskd_student_lenet5_lenet5-half_1xb256-2k_digits.py']
model = dict(
    teacher=dict(
        checkpoint='work_dirs/teacher_lenet5_fashion-mnist/weights.pth'),
    generator_checkpoint=('work_dirs/rdskd_generator_lenet5_1xb256-600_'
                          'fashion-mnist/generator.pth'),
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
