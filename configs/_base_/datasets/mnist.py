# MNIST at 32x32 (resized, as DAFL / RDSKD do), read by mmpretrain's MNIST
# (downloads the idx files into data_root unless download=False). Only the
# test split is read by distillation runs. mmpretrain 1.2's MNIST picks the
# files by test_mode, not split: the test split needs test_mode=True.
mnist_root = 'data/mnist'
mnist_mean = [33.3285]  # 0.1307 x 255 (RDSKD teacher-train.py)
mnist_std = [78.5655]  # 0.3081 x 255
val_dataloader = dict(
    batch_size=500,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='mmpretrain.MNIST',
        data_root=mnist_root,
        split='test',
        test_mode=True,
        pipeline=[
            dict(type='mmpretrain.Resize', scale=32),
            dict(type='mmpretrain.PackInputs')
        ]))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
