# CIFAR-10: only the *test* split is read (validation / testing); data-free
# training never touches the train split. mmpretrain downloads the archive
# into data_root unless download=False.
cifar10_mean = [125.307, 122.961, 113.8575]
cifar10_std = [51.5865, 50.847, 51.255]
val_dataloader = dict(
    batch_size=256,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='mmpretrain.CIFAR10',
        data_root='data/cifar10',
        split='test',
        pipeline=[dict(type='mmpretrain.PackInputs')]))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
