# SVHN (cropped 32x32 digits) from the official train_32x32.mat /
# test_32x32.mat (http://ufldl.stanford.edu/housenumbers/), read by
# mmdfkd.SVHN (RGB, so to_rgb=False); no download unless download=True.
# Only the test split is read by distillation runs.
svhn_root = 'data/svhn'
# (0.4377, 0.4438, 0.4728) / (0.1980, 0.2010, 0.1970) x 255 (RDSKD
# teacher-train.py)
svhn_mean = [111.6135, 113.169, 120.564]
svhn_std = [50.49, 51.255, 50.235]
val_dataloader = dict(
    batch_size=500,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='SVHN',
        data_root=svhn_root,
        split='test',
        pipeline=[dict(type='mmpretrain.PackInputs')]))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
