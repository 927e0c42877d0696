# ZSKT, WRN-40-2 -> WRN-16-1 on SVHN (32x32), the paper's SVHN pair with the
# official setting (_base_zskt.py, _base_zskt_wrn.py). First train the
# teacher: python tools/train.py configs/teachers/teacher_wrn40-2_svhn.py
_base_ = ['./_base_zskt_wrn.py', '../_base_/datasets/svhn.py']
model = dict(
    teacher=dict(model=_base_.wrn40_2,
                 checkpoint='work_dirs/teacher_wrn40-2_svhn/weights.pth'),
    student=dict(_base_.wrn16_1,
                 type='mmdfkd.FeatureMapClassifier'),  # + mode='stages'
    data_preprocessor=dict(mean=_base_.svhn_mean, std=_base_.svhn_std))
