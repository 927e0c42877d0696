# CDFKD-MFS, three WRN-40-2 teachers -> one 3-header WRN-16-2 student on
# CIFAR-100. First train the three teachers (one config, seeds 1, 2, 3; see
# its header): configs/teachers/teacher_wrn40-2_8xb16_cifar100.py
# Official setting (scripts/CDFKD_MFS, wrn4x402 -> mhwrn4x162): the ResNet
# config's schedule, losses and hooks with other teachers and student.
_base_ = [
    './cdfkd-mfs_3xresnet34_mh-resnet18_1xb256-15k_cifar100.py',
    '../_base_/models/wide_resnet.py'
]
wrn40_2_cifar100 = _base_.wrn40_2
wrn40_2_cifar100.head.num_classes = 100
teacher_dir = 'work_dirs/teacher_wrn40-2_8xb16_cifar100_seed'
model = dict(
    teachers=dict(  # teacher i <-> header i
        t1=dict(model=dict(_delete_=True, **wrn40_2_cifar100),
                checkpoint=teacher_dir + '1/weights.pth'),
        t2=dict(model=dict(_delete_=True, **wrn40_2_cifar100),
                checkpoint=teacher_dir + '2/weights.pth'),
        t3=dict(model=dict(_delete_=True, **wrn40_2_cifar100),
                checkpoint=teacher_dir + '3/weights.pth')),
    student=dict(_delete_=True, **_base_.mh_wrn16_2),
    # w_feat 0.2: 128-d header and teacher features
)
default_hooks = dict(teacher_check=dict(min_top1=65.0))
