# RDSKD stage 2, a BN ResNet teacher (mmpretrain ResNet_CIFAR-18 narrowed to
# widths 16..128) on digits: the LeNet-5 config with the teacher swapped.
# First train the teacher:
#   python tools/train.py configs/teachers/teacher_resnet18-narrow_digits.py
# Stage 3: rdskd_student_resnet18-narrow_lenet5-half_1xb256-2k_digits.py.
_base_ = [
    './rdskd_generator_lenet5_1xb256-600_digits.py',
    '../_base_/models/resnet_cifar.py'
]
model = dict(teacher=dict(
    model=dict(_base_.resnet18_cifar_narrow, _delete_=True),
    checkpoint='work_dirs/teacher_resnet18-narrow_digits/weights.pth'))
