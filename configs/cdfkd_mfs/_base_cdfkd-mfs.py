# CDFKD-MFS (https://arxiv.org/abs/2205.11845): three teachers -> one
# 3-header student, with the losses, steps and schedule of the official
# scripts (scripts/CDFKD_MFS): 5 student + 1 generator steps, nz 256,
# w_s = w_g = 1, w_ens = 5, w_bn = 0.1 (first BN x5), w_feat 0.2. The
# dataset configs add the teachers, the student, the generator and the data.
_base_ = [
    '../_base_/models/multi_header.py', '../_base_/datasets/latent.py',
    '../_base_/schedules/dfkd_adam-sgd_15k.py'
]
latent_dim = 256  # CDFKD-MFS nz
student_steps = 5  # CDFKD-MFS: 5 student steps per generator step
model = dict(
    type='CDFKDMFS',
    loss_head=dict(type='LogitL1Loss', loss_weight=1.0),   # w_s
    loss_adv=dict(type='LogitL1Loss', loss_weight=1.0),    # w_g
    loss_ens=dict(type='LogitL1Loss', loss_weight=5.0),    # w_ens
    loss_bn=dict(type='BNStatisticsLoss', loss_weight=0.1,
                 first_bn_multiplier=5.0),                 # w_bn, rescale
    loss_feat=dict(type='FeatureL1Loss', loss_weight=0.2),  # w_feat, 512-d
    student_steps=student_steps,
    data_preprocessor=dict(type='DFKDDataPreprocessor'))  # + dataset mean/std

train_dataloader = dict(  # batch 256 (CDFKD-MFS); one code batch per step
    dataset=dict(latent_dim=latent_dim, codes_per_sample=student_steps + 1))
# work_dir/student.pth (the student alone, plain weights) and
# student_config.py come from the runtime's ExportStudentHook: for the
# attention run and mmpretrain's APIs (prediction = mean of the headers).
