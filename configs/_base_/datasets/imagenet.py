# ImageNet-1k at 224 px: only the labelled held-out split ('val') is read by
# distillation runs. mmpretrain's ImageNet layout under data_root (val/,
# meta/); ResizeEdge 256 (short edge), CenterCrop 224, ImageNet normalisation.
imagenet_root = 'data/imagenet'
imagenet_mean = [123.675, 116.28, 103.53]  # RGB, 0..255
imagenet_std = [58.395, 57.12, 57.375]
val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='mmpretrain.ImageNet',
        data_root=imagenet_root,
        split='val',
        pipeline=[
            dict(type='mmpretrain.LoadImageFromFile'),
            dict(type='mmpretrain.ResizeEdge', scale=256, edge='short'),
            dict(type='mmpretrain.CenterCrop', crop_size=224),
            dict(type='mmpretrain.PackInputs')
        ]))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, 5))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
