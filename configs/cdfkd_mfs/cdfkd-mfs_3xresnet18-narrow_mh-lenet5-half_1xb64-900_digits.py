# CDFKD-MFS, three BN ResNet teachers (mmpretrain ResNet_CIFAR-18 narrowed
# to widths 16..128) -> one 3-header LeNet-5-Half student on digits: the
# LeNet-5-BN config with the teachers swapped (the official BN weight 0.1 is
# for CIFAR ResNets already) and 3x its iterations (seed 0: 84.63 % against
# 73.33 % at 300; README.md). First train the teachers (one config, its own
# seed and seeds 2, 3):
#   python tools/train.py configs/teachers/teacher_resnet18-narrow_digits.py
#   python tools/train.py configs/teachers/teacher_resnet18-narrow_digits.py \
#       --cfg-options randomness.seed=2 \
#       --work-dir work_dirs/teacher_resnet18-narrow_digits_seed2  # and 3
_base_ = [
    './cdfkd-mfs_3xlenet5_mh-lenet5-half_1xb64-300_digits.py',
    '../_base_/models/resnet_cifar.py'
]
teacher_dir = 'work_dirs/teacher_resnet18-narrow_digits'
resnet = dict(_base_.resnet18_cifar_narrow, _delete_=True)
model = dict(teachers=dict(
    t1=dict(model=resnet, checkpoint=teacher_dir + '/weights.pth'),
    t2=dict(model=resnet, checkpoint=teacher_dir + '_seed2/weights.pth'),
    t3=dict(model=resnet, checkpoint=teacher_dir + '_seed3/weights.pth')))
max_iters = 900
lr_steps = [dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                 milestones=[max_iters // 3, 2 * max_iters // 3])]
param_scheduler = dict(generator=lr_steps, student=lr_steps)
train_cfg = dict(max_iters=max_iters, val_interval=300)
default_hooks = dict(
    checkpoint=dict(interval=max_iters), synthetic=dict(interval=300))
