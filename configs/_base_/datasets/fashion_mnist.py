# Fashion-MNIST at 32x32 (resized, as every official DFKD code base does).
# mmdfkd.GzFashionMNIST reads the .gz files directly, e.g. Debian's
# `apt-get install dataset-fashion-mnist` -> /usr/share/datasets/fashion-mnist.
# Only the test split is read by distillation runs.
fashion_mnist_root = '/usr/share/datasets/fashion-mnist'
fashion_mnist_mean = [72.83]  # 0.2856 / 0.3385 (KegNet, PRE-DFKD), x255
fashion_mnist_std = [86.32]
val_dataloader = dict(
    batch_size=500,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='GzFashionMNIST',
        data_root=fashion_mnist_root,
        split='test',
        pipeline=[
            dict(type='mmpretrain.Resize', scale=32),
            dict(type='mmpretrain.PackInputs')
        ]))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
