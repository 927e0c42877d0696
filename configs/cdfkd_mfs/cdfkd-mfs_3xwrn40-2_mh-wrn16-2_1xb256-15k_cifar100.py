# CDFKD-MFS, three WRN-40-2 teachers -> one 3-header WRN-16-2 student on
# CIFAR-100. First train the three teachers (one config, seeds 1, 2, 3; see
# its header): configs/teachers/teacher_wrn40-2_8xb16_cifar100.py
# Official setting (scripts/CDFKD_MFS, wrn4x402 -> mhwrn4x162).
_base_ = [
    '../_base_/models/wide_resnet.py', '../_base_/models/multi_header.py',
    '../_base_/datasets/cifar100.py', '../_base_/dfkd_runtime.py'
]
latent_dim = 256  # CDFKD-MFS nz
student_steps = 5  # CDFKD-MFS: 5 student steps per generator step
max_iters = 15000  # CDFKD-MFS: 300 epochs x 50 iterations
wrn40_2_cifar100 = _base_.wrn40_2
wrn40_2_cifar100.head.num_classes = 100
teacher_dir = 'work_dirs/teacher_wrn40-2_8xb16_cifar100_seed'
model = dict(
    type='CDFKDMFS',
    teachers=dict(  # teacher i <-> header i
        t1=dict(model=wrn40_2_cifar100,
                checkpoint=teacher_dir + '1/weights.pth'),
        t2=dict(model=wrn40_2_cifar100,
                checkpoint=teacher_dir + '2/weights.pth'),
        t3=dict(model=wrn40_2_cifar100,
                checkpoint=teacher_dir + '3/weights.pth')),
    student=_base_.mh_wrn16_2,
    generator=dict(
        type='DAFLGenerator', latent_dim=latent_dim, img_size=32,
        out_channels=3, base_channels=128, bn_eps=0.8),  # B1 (gan.Generator)
    loss_head=dict(type='LogitL1Loss', loss_weight=1.0),   # w_s
    loss_adv=dict(type='LogitL1Loss', loss_weight=1.0),    # w_g
    loss_ens=dict(type='LogitL1Loss', loss_weight=5.0),    # w_ens
    loss_bn=dict(type='BNStatisticsLoss', loss_weight=0.1,
                 first_bn_multiplier=5.0),                 # w_bn, rescale
    loss_feat=dict(type='FeatureL1Loss', loss_weight=0.2),  # w_feat, 128-d
    student_steps=student_steps,
    data_preprocessor=dict(
        type='DFKDDataPreprocessor', mean=_base_.cifar100_mean,
        std=_base_.cifar100_std, to_rgb=False))

train_dataloader = dict(
    batch_size=256,  # CDFKD-MFS
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='LatentDataset', latent_dim=latent_dim,
        codes_per_sample=student_steps + 1))

optim_wrapper = dict(  # CDFKD-MFS: student SGD 0.1, generator Adam 1e-3
    constructor='PerModuleOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=1e-3)),
    student=dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4)))
param_scheduler = dict(  # CDFKD-MFS: x0.1 at epochs 100 and 200
    generator=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                    milestones=[5000, 10000], end=max_iters)],
    student=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                  milestones=[5000, 10000], end=max_iters)])

# CDFKD-MFS tests every epoch (50 iterations); we every 10 epochs.
train_cfg = dict(max_iters=max_iters, val_interval=500)
val_evaluator = [
    dict(type='mmpretrain.Accuracy', topk=(1, )),  # mean of the headers
    dict(type='HeaderAccuracy'),                   # each header alone
]
test_evaluator = val_evaluator
default_hooks = dict(
    checkpoint=dict(interval=2500),
    teacher_check=dict(min_top1=65.0),
    synthetic=dict(interval=2500))
# work_dir/student.pth: the student alone, plain weights, for the attention
# run and mmpretrain's inference APIs (prediction = mean of the headers).
custom_hooks = [
    dict(type='ExportWeightsHook', module='student', filename='student.pth')
]
