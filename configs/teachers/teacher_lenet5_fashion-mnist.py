# LeNet-5 teacher on Fashion-MNIST (32x32). Writes the plain weights that the
# Fashion-MNIST distillation configs load:
#   work_dirs/teacher_lenet5_fashion-mnist/weights.pth
# Data: apt-get install dataset-fashion-mnist (or set fashion_mnist_root).
_base_ = [
    '../_base_/models/lenet5.py', '../_base_/datasets/fashion_mnist.py',
    '../_base_/schedules/teacher_adam_10e.py'
]
model = _base_.lenet5
model.data_preprocessor = dict(
    type='mmpretrain.ClsDataPreprocessor', num_classes=10,
    mean=_base_.fashion_mnist_mean, std=_base_.fashion_mnist_std)

train_dataloader = dict(
    batch_size=128,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='GzFashionMNIST',
        data_root=_base_.fashion_mnist_root,
        split='train',
        pipeline=[
            dict(type='mmpretrain.Resize', scale=32),
            dict(type='mmpretrain.RandomFlip', prob=0.5,
                 direction='horizontal'),
            dict(type='mmpretrain.PackInputs')
        ]))

custom_hooks = [dict(type='ExportWeightsHook', filename='weights.pth')]
