# CIFAR-100: only the *test* split is read (validation / testing); data-free
# training never touches the train split. mmpretrain downloads the archive
# into data_root unless download=False.
cifar100_mean = [129.304, 124.070, 112.434]
cifar100_std = [68.170, 65.392, 70.418]
val_dataloader = dict(
    batch_size=256,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='mmpretrain.CIFAR100',
        data_root='data/cifar100',
        split='test',
        pipeline=[dict(type='mmpretrain.PackInputs')]))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
