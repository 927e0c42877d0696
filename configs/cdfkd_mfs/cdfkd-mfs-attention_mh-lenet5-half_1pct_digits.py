# CDFKD-MFS, second run: attention aggregation of the three headers of the
# digits student, trained on 1 % of the real training split (13 labelled
# images, drawn with a fixed seed); the student stays frozen. First run
#   configs/cdfkd_mfs/cdfkd-mfs_3xlenet5_mh-lenet5-half_1xb64-300_digits.py
# ICME CDFKD attention-train.py (MNIST): Adam 0.01, batch 100, 100 epochs.
_base_ = [
    '../_base_/models/lenet5.py', '../_base_/datasets/digits.py',
    '../_base_/default_runtime.py'
]
model = dict(
    type='AttentionAggregation',
    student=dict(  # its normalisation travels with the exported student
        _base_.mh_lenet5_half,
        data_preprocessor=dict(mean=_base_.digits_mean,
                               std=_base_.digits_std)),
    # the student exported by the first run (plain weights)
    student_checkpoint=('work_dirs/cdfkd-mfs_3xlenet5_mh-lenet5-half_'
                        '1xb64-300_digits/student.pth'),
    student_prefix=None,
    data_preprocessor=dict(
        type='mmpretrain.ClsDataPreprocessor', num_classes=10,
        mean=_base_.digits_mean, std=_base_.digits_std))

train_dataloader = dict(
    batch_size=100,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='FewShotSubset',
        ratio=0.01,  # 1 % of the training split; or num_samples=N
        seed=0,
        dataset=dict(
            type='Digits', split='train',
            pipeline=[dict(type='mmpretrain.PackInputs')])))

optim_wrapper = dict(optimizer=dict(type='Adam', lr=0.01))
train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=50)
val_cfg = dict()
test_cfg = dict()
val_evaluator = [
    dict(type='mmpretrain.Accuracy', topk=(1, )),  # attention
    dict(type='HeaderAccuracy'),  # header/mean_top1 and each header
]
test_evaluator = val_evaluator
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(by_epoch=True, interval=100, max_keep_ckpts=1))
log_processor = dict(by_epoch=True)
# work_dir/student.pth: the student with its trained attention, for
# mmpretrain's inference APIs (build the student with aggregation='attention')
custom_hooks = [
    dict(type='ExportWeightsHook', module='student', filename='student.pth')
]
