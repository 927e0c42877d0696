# CDFKD-MFS, three LeNet-5 (BN) teachers -> one 3-header LeNet-5-Half
# student on scikit-learn digits (32x32), sized for a 2-core CPU. First train
# the three teachers (one config, three seeds; see its header):
#   configs/teachers/teacher_lenet5-bn_digits.py
# Official CIFAR-100 setting (scripts/CDFKD_MFS): 300 x 50 iterations of
# 5 student + 1 generator steps, batch 256, student SGD 0.1 (m 0.9,
# wd 5e-4), generator Adam 1e-3, MultiStep x0.1 at 1/3 and 2/3, nz 256,
# w_s = w_g = 1, w_ens = 5, w_bn = 0.1 (first BN x5), w_feat 0.2 when the
# feature sizes match (here 60 vs 120: off).
_base_ = [
    '../_base_/models/lenet5.py', '../_base_/datasets/digits.py',
    '../_base_/dfkd_runtime.py'
]
latent_dim = 256
student_steps = 5
max_iters = 300
teacher_dir = 'work_dirs/teacher_lenet5-bn_digits_seed'
model = dict(
    type='CDFKDMFS',
    teachers=dict(  # teacher i <-> header i
        t1=dict(model=_base_.lenet5_bn,
                checkpoint=teacher_dir + '1/weights.pth'),
        t2=dict(model=_base_.lenet5_bn,
                checkpoint=teacher_dir + '2/weights.pth'),
        t3=dict(model=_base_.lenet5_bn,
                checkpoint=teacher_dir + '3/weights.pth')),
    # the student's own normalisation is unused here (the algorithm's
    # data_preprocessor normalises real images); it travels with the
    # exported student.pth config for mmpretrain's inference APIs
    student=dict(
        _base_.mh_lenet5_half,
        data_preprocessor=dict(mean=_base_.digits_mean,
                               std=_base_.digits_std)),
    generator=dict(
        type='DAFLGenerator', latent_dim=latent_dim, img_size=32,
        out_channels=1, base_channels=32),  # B1 (eps 0.8); 128 -> 32 for CPU
    loss_head=dict(type='LogitL1Loss', loss_weight=1.0),   # w_s
    loss_adv=dict(type='LogitL1Loss', loss_weight=1.0),    # w_g
    loss_ens=dict(type='LogitL1Loss', loss_weight=5.0),    # w_ens
    loss_bn=dict(type='BNStatisticsLoss', loss_weight=0.1,
                 first_bn_multiplier=5.0),                 # w_bn, rescale
    loss_feat=None,  # 60-d header vs 120-d teacher features
    student_steps=student_steps,
    data_preprocessor=dict(
        type='DFKDDataPreprocessor', mean=_base_.digits_mean,
        std=_base_.digits_std))

train_dataloader = dict(
    batch_size=64,  # 256 in the paper
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='LatentDataset', latent_dim=latent_dim,
        codes_per_sample=student_steps + 1))

optim_wrapper = dict(
    constructor='PerModuleOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=1e-3)),
    student=dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4)))
param_scheduler = dict(  # MultiStepLR(0.1) at 1/3 and 2/3 of the run
    generator=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                    milestones=[max_iters // 3, 2 * max_iters // 3])],
    student=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                  milestones=[max_iters // 3, 2 * max_iters // 3])])

train_cfg = dict(max_iters=max_iters, val_interval=150)
val_evaluator = [
    dict(type='mmpretrain.Accuracy', topk=(1, )),  # mean of the headers
    dict(type='HeaderAccuracy'),                   # each header alone
]
test_evaluator = val_evaluator
default_hooks = dict(
    checkpoint=dict(interval=300),
    teacher_check=dict(min_top1=90.0),
    synthetic=dict(interval=150))
# work_dir/student.pth: the student alone, plain weights, for the attention
# run and mmpretrain's inference APIs (prediction = mean of the headers).
custom_hooks = [
    dict(type='ExportWeightsHook', module='student', filename='student.pth')
]
