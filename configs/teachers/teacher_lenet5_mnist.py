# LeNet-5 teacher on MNIST (32x32), the RDSKD MNIST teacher. Writes the plain
# weights that the MNIST distillation configs load:
#   work_dirs/teacher_lenet5_mnist/weights.pth
# Recipe: ours (that of teacher_lenet5_fashion-mnist.py, without the flip):
# Adam 2e-3, cosine, 10 epochs, batch 128. The official teacher-train.py
# trains SGD lr 1e-3 (no momentum), batch 256, 199 epochs, no augmentation.
_base_ = [
    '../_base_/models/lenet5.py', '../_base_/datasets/mnist.py',
    '../_base_/schedules/teacher_adam_10e.py'
]
model = _base_.lenet5
model.data_preprocessor = dict(
    type='mmpretrain.ClsDataPreprocessor', num_classes=10,
    mean=_base_.mnist_mean, std=_base_.mnist_std)

train_dataloader = dict(
    batch_size=128,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='mmpretrain.MNIST',
        data_root=_base_.mnist_root,
        split='train',
        pipeline=[
            dict(type='mmpretrain.Resize', scale=32),  # RDSKD: Resize 32
            dict(type='mmpretrain.PackInputs')
        ]))

custom_hooks = [dict(type='ExportWeightsHook', filename='weights.pth')]
