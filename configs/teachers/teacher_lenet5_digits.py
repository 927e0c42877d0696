# LeNet-5 teacher on scikit-learn digits (32x32). Writes the plain weights
# that the digits distillation configs load:
#   work_dirs/teacher_lenet5_digits/weights.pth
_base_ = [
    '../_base_/models/lenet5.py', '../_base_/datasets/digits.py',
    '../_base_/schedules/teacher_adam_10e.py'
]
model = _base_.lenet5
model.data_preprocessor = dict(
    type='mmpretrain.ClsDataPreprocessor', num_classes=10,
    mean=_base_.digits_mean, std=_base_.digits_std)

train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='Digits', split='train',
        pipeline=[
            dict(type='mmpretrain.RandomCrop', crop_size=32, padding=2),
            dict(type='mmpretrain.PackInputs')
        ]))

param_scheduler = dict(T_max=30)  # 30 epochs
train_cfg = dict(max_epochs=30, val_interval=10)
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=10))
custom_hooks = [dict(type='ExportWeightsHook', filename='weights.pth')]
