# CGDD, a BN ResNet teacher (mmpretrain ResNet_CIFAR-18 narrowed to widths
# 16..128, 20 BN layers) -> LeNet-5-Half on Fashion-MNIST: the LeNet-5-BN
# 1.2k config with the teacher swapped as in the digits ResNet config (no
# feature-map loss, the BN prior averaged over the layers, weight 1).
# First train the teacher:
#   python tools/train.py \
#       configs/teachers/teacher_resnet18-narrow_fashion-mnist.py
_base_ = [
    './cgdd_lenet5-bn_lenet5-half_1xb64-1.2k_fashion-mnist.py',
    '../_base_/models/resnet_cifar.py'
]
model = dict(
    teacher=dict(
        model=dict(_base_.resnet18_cifar_narrow, _delete_=True),
        checkpoint=('work_dirs/teacher_resnet18-narrow_fashion-mnist/'
                    'weights.pth')),
    loss_feat=None,
    loss_bn=dict(reduction='mean', loss_weight=1.0))
