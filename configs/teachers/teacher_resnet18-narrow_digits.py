# A BN ResNet teacher on scikit-learn digits (32x32): mmpretrain's
# ResNet_CIFAR-18 narrowed to widths 16..128 (_base_/models/resnet_cifar.py),
# trained like teacher_lenet5_digits.py (99.44 %, 151 CPU-s on one thread).
# A second teacher family next to LeNet-5; writes
#   work_dirs/teacher_resnet18-narrow_digits/weights.pth
_base_ = ['./teacher_lenet5_digits.py', '../_base_/models/resnet_cifar.py']
model = dict(_base_.resnet18_cifar_narrow, _delete_=True,
             data_preprocessor=_base_.model.data_preprocessor)
