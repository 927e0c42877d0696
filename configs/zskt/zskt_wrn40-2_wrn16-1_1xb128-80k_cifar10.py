# ZSKT, WRN-40-2 -> WRN-16-1 on CIFAR-10 with the official setting
# (scripts/ZeroShot/main*.sh; _base_zskt.py, _base_zskt_wrn.py). ZSKT in the
# zju-vipa benchmark: 83.74 with a 94.87 teacher (README.md). Teacher: the
# zju-vipa WRN-40-2 (README's Dropbox models), converted:
#   python tools/model_converters/zju_vipa_to_mmdfkd.py --arch wrn40_2 \
#       checkpoints/pretrained/cifar10_wrn40_2.pth \
#       work_dirs/teacher_wrn40-2_cifar10/weights.pth
_base_ = ['./_base_zskt_wrn.py', '../_base_/datasets/cifar10.py']
model = dict(
    teacher=dict(model=_base_.wrn40_2,
                 checkpoint='work_dirs/teacher_wrn40-2_cifar10/weights.pth'),
    student=dict(_base_.wrn16_1,
                 type='mmdfkd.FeatureMapClassifier'),  # + mode='stages'
    data_preprocessor=dict(mean=_base_.cifar10_mean, std=_base_.cifar10_std))
