# RDSKD stage 3, the BN ResNet teacher -> LeNet-5-Half on digits, on images
# of the frozen generator of
#   python tools/train.py \
#       configs/rdskd/rdskd_generator_resnet18-narrow_1xb256-600_digits.py
# (the LeNet-5 config with the teacher and the generator swapped).
_base_ = [
    './rdskd_student_lenet5_lenet5-half_1xb256-2k_digits.py',
    '../_base_/models/resnet_cifar.py'
]
model = dict(
    teacher=dict(
        model=dict(_base_.resnet18_cifar_narrow, _delete_=True),
        checkpoint='work_dirs/teacher_resnet18-narrow_digits/weights.pth'),
    generator_checkpoint=('work_dirs/rdskd_generator_resnet18-narrow_'
                          '1xb256-600_digits/generator.pth'))
