# DAFL, a BN ResNet teacher (mmpretrain ResNet_CIFAR-18 narrowed to widths
# 16..128) -> LeNet-5-Half on digits: the LeNet-5 config with the teacher
# swapped (the activation loss reads the teacher's 128-d pooled features).
# First train the teacher:
#   python tools/train.py configs/teachers/teacher_resnet18-narrow_digits.py
_base_ = [
    './dafl_lenet5_lenet5-half_1xb128-2k_digits.py',
    '../_base_/models/resnet_cifar.py'
]
model = dict(teacher=dict(
    model=dict(_base_.resnet18_cifar_narrow, _delete_=True),
    checkpoint='work_dirs/teacher_resnet18-narrow_digits/weights.pth'))
