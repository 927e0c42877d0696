# NAYER-100, ResNet-34 -> ResNet-18 on CIFAR-10 (no published number for
# this pair), tmtuan1307/NAYER's protocol (scripts/nayer_100.sh): 20 warm-up
# epochs of 10 loops, then 100 epochs of 2 loops + 400 KD steps, synthesis
# batch 400, KD batch 512, student lr 0.2. Teacher: resnet34_8xb16_cifar10.
# Or the zju-vipa teacher (--cfg-options model.teacher.checkpoint=zju.pth):
# https://www.dropbox.com/sh/w8xehuk7debnka3/AABhoazFReE_5mMeyvb4iUWoa?dl=0
#   python tools/model_converters/zju_vipa_to_mmdfkd.py --arch resnet34 \
#     checkpoints/pretrained/cifar10_resnet34.pth zju.pth
_base_ = ['./_base_nayer_resnet34_resnet18.py',
          '../_base_/datasets/cifar10.py']
warmup, epochs = 20 * 5, 100     # a warm-up epoch: 5 iterations of 2 loops
max_iters = warmup + 400 * epochs
black = [-m / s for m, s in zip(_base_.cifar10_mean, _base_.cifar10_std)]
model = dict(
    teacher=dict(model='resnet34_8xb16_cifar10'),
    synthesizer=dict(
        num_classes=10, batch_size=400,
        generator=dict(type='InversionGenerator', img_size=32,
                       out_channels=3, base_channels=64)),
    image_pool=dict(capacity=400 * 2 * 300, augment=[
        dict(type='BatchRandomCrop', padding=4, fill=black),
        dict(type='BatchRandomFlip')]),
    batch_size=512, warmup_rounds=warmup,
    data_preprocessor=dict(mean=_base_.cifar10_mean, std=_base_.cifar10_std))
optim_wrapper = dict(student=dict(optimizer=dict(
    type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4)))
param_scheduler = dict(student=[dict(
    type='CosineAnnealingLR', by_epoch=False, begin=warmup, end=max_iters,
    T_max=max_iters - warmup, eta_min=2e-4)])
train_cfg = dict(max_iters=max_iters, val_interval=4000)
default_hooks = dict(teacher_check=dict(min_top1=90.0))
