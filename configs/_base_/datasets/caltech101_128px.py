# Caltech-101 at 128 px with the DFAD / CDFKD-MFS protocol: 101 classes
# (BACKGROUND_Google dropped), stratified 80/20 split with seed 1
# (mmdfkd.Caltech101Split; mmpretrain's Caltech101 uses another split).
# data_root holds 101_ObjectCategories/. Only the test split is read by
# distillation runs. Test transform of CDFKD-MFS: Resize 128 (short edge),
# CenterCrop 128, Normalize(0.5, 0.5).
caltech101_root = 'data/caltech-101'
caltech101_mean = [127.5, 127.5, 127.5]  # 0.5 x 255: generator Tanh range
caltech101_std = [127.5, 127.5, 127.5]
val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='Caltech101Split',
        data_root=caltech101_root,
        split='test',
        pipeline=[
            dict(type='mmpretrain.LoadImageFromFile'),
            dict(type='mmpretrain.ResizeEdge', scale=128, edge='short'),
            dict(type='mmpretrain.CenterCrop', crop_size=128),
            dict(type='mmpretrain.PackInputs')
        ]))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
