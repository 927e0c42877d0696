# CDFKD-MFS, second run: attention aggregation of the headers of a student
# exported by a first run (frozen), trained on 1 % of the real training split
# (drawn with a fixed seed). ICME CDFKD attention-train.py: Adam 0.01, batch
# 100. The dataset configs add the student, its checkpoint, the data and the
# number of epochs.
_base_ = ['../_base_/default_runtime.py']
model = dict(
    type='AttentionAggregation',
    student_prefix=None,  # the first run's student.pth: plain weights
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor'))

train_dataloader = dict(
    batch_size=100,  # ICME CDFKD
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='FewShotSubset',
        ratio=0.01,  # 1 % of the training split; or num_samples=N
        seed=0))  # + dataset: the training split

optim_wrapper = dict(optimizer=dict(type='Adam', lr=0.01))  # ICME CDFKD
train_cfg = dict(by_epoch=True)  # + max_epochs, val_interval
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(
    checkpoint=dict(by_epoch=True, max_keep_ckpts=1))  # + interval
log_processor = dict(by_epoch=True)
# work_dir/student.pth + student_config.py: the student with its trained
# attention, for mmpretrain's APIs (get_model(student_config.py, ...))
custom_hooks = [dict(type='ExportStudentHook')]
