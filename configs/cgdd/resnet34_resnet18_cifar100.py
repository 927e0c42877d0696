# CGDD, ResNet-34 -> ResNet-18 (CIFAR variants) on CIFAR-100, 32 px:
#   tools/dist_train.sh configs/cgdd/resnet34_resnet18_cifar100.py 8
# (8 GPUs x 32 = batch 256; on one GPU add
#  --cfg-options train_dataloader.batch_size=256). First train the teacher
# (the zoo has no CIFAR-100 ResNet-34):
#   tools/dist_train.sh configs/teachers/teacher_resnet34_8xb16_cifar100.py 8
# CGDD publishes no code or hyperparameters: the design and every value
# below are ours (README.md, "Our design"); the schedule, optimisers and BN
# weights are CDFKD-MFS's verified CIFAR-100 ones (same protocol). Not yet
# run at this size (no GPU was available): expect to tune the lrs.
_base_ = [
    '../_base_/models/resnet_cifar.py', '../_base_/datasets/cifar100.py',
    '../_base_/dfkd_runtime.py'
]
num_classes = 100
latent_dim = 256
generator_steps = 1
student_steps = 5  # CDFKD-MFS / DFAD: 5 student steps per generator step
max_iters = 15000  # CDFKD-MFS: 300 epochs x 50 iterations
teacher = _base_.resnet34_cifar
teacher.head.num_classes = num_classes
student = _base_.resnet18_cifar
student.head.num_classes = num_classes
model = dict(
    type='CGDD',
    teacher=dict(
        model=teacher,
        checkpoint='work_dirs/teacher_resnet34_8xb16_cifar100/weights.pth'),
    student=dict(student, type='mmdfkd.FeatureMapClassifier'),
    generator=dict(
        type='ConditionalDAFLGenerator', num_classes=num_classes,
        condition='embedding', latent_dim=latent_dim, img_size=32,
        out_channels=3, base_channels=128),  # B1 (eps 0.8)
    loss_label=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
    loss_bn=dict(type='BNStatisticsLoss', loss_weight=0.1,
                 first_bn_multiplier=5.0),  # CDFKD-MFS's weights
    loss_div=dict(type='ModeSeekingLoss', loss_weight=1.0),
    loss_adv=dict(type='LogitL1Loss', loss_weight=0.3),  # DFAD's D
    loss_kd=dict(type='KDLoss', tau=1.0),
    # stages 1 and 2: 128 x 16 x 16 and 256 x 8 x 8 in both networks
    loss_feat=dict(type='AttentionTransferLoss', loss_weight=250.0),  # ZSKT
    feature_stages=(1, 2),
    generator_steps=generator_steps,
    student_steps=student_steps,
    data_preprocessor=dict(
        type='DFKDDataPreprocessor', mean=_base_.cifar100_mean,
        std=_base_.cifar100_std))

train_dataloader = dict(
    batch_size=32,  # per GPU: 8 x 32 = 256 (CDFKD-MFS)
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='LatentDataset', latent_dim=latent_dim,
        codes_per_sample=generator_steps + student_steps))

optim_wrapper = dict(  # CDFKD-MFS: student SGD 0.1, generator Adam 1e-3
    constructor='PerModuleOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=1e-3)),
    student=dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4)))
param_scheduler = dict(  # x0.1 at 1/3 and 2/3 of the run (CDFKD-MFS)
    generator=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                    milestones=[max_iters // 3, 2 * max_iters // 3])],
    student=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                  milestones=[max_iters // 3, 2 * max_iters // 3])])

train_cfg = dict(max_iters=max_iters, val_interval=1000)
default_hooks = dict(
    checkpoint=dict(interval=1000, max_keep_ckpts=3),
    teacher_check=dict(min_top1=50.0),
    synthetic=dict(interval=1000))
custom_hooks = [
    dict(type='ExportWeightsHook', module='generator',
         filename='generator.pth')
]
