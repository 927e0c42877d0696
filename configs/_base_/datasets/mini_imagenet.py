# mini-ImageNet at 224 px with the CDFKD-MFS protocol: the 60,000 images of
# the 100 classes of the train/val/test CSVs pooled and split stratified
# 80/20 (48k / 12k, seed 1) by mmdfkd.MiniImageNet; data_root holds the
# three CSVs and images/. Only the test split is read by distillation runs.
# Test transform of CDFKD-MFS: Resize 256 (short edge), CenterCrop 224,
# ImageNet normalisation.
mini_imagenet_root = 'data/mini-imagenet'
imagenet_mean = [123.675, 116.28, 103.53]  # RGB, 0..255
imagenet_std = [58.395, 57.12, 57.375]
val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='MiniImageNet',
        data_root=mini_imagenet_root,
        split='test',
        pipeline=[
            dict(type='mmpretrain.LoadImageFromFile'),
            dict(type='mmpretrain.ResizeEdge', scale=256, edge='short'),
            dict(type='mmpretrain.CenterCrop', crop_size=224),
            dict(type='mmpretrain.PackInputs')
        ]))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
