# Fast-5, ResNet-34 -> ResNet-18 on CIFAR-10 (Fast README: 93.63, best
# epoch, with a 95.70 teacher), zju-vipa's protocol: 20 warm-up rounds then
# 200 rounds of 400 KD steps, student lr 0.2 (scripts/fast_cifar.sh; adv
# 1.33, bn 10, oh 0.5). Teacher: the mmpretrain zoo's resnet34_8xb16_cifar10.
# Or the zju-vipa teacher (--cfg-options model.teacher.checkpoint=zju.pth):
# https://www.dropbox.com/sh/w8xehuk7debnka3/AABhoazFReE_5mMeyvb4iUWoa?dl=0
#   python tools/model_converters/zju_vipa_to_mmdfkd.py --arch resnet34 \
#     checkpoints/pretrained/cifar10_resnet34.pth zju.pth
_base_ = ['./_base_fast_resnet34_resnet18.py',
          '../_base_/datasets/cifar10.py']
warmup, rounds = 20, 200
max_iters = warmup + 400 * rounds
black = [-m / s for m, s in zip(_base_.cifar10_mean, _base_.cifar10_std)]
model = dict(
    teacher=dict(model='resnet34_8xb16_cifar10'),
    synthesizer=dict(
        num_classes=10, loss_adv=dict(loss_weight=1.33),
        generator=dict(type='InversionGenerator', latent_dim=256,
                       img_size=32, out_channels=3, base_channels=64)),
    image_pool=dict(augment=[dict(type='BatchRandomCrop', padding=4,
                                  fill=black), dict(type='BatchRandomFlip')]),
    warmup_rounds=warmup,
    data_preprocessor=dict(mean=_base_.cifar10_mean, std=_base_.cifar10_std))
optim_wrapper = dict(student=dict(optimizer=dict(
    type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4)))
param_scheduler = dict(student=[dict(
    type='CosineAnnealingLR', by_epoch=False, begin=warmup, end=max_iters,
    T_max=max_iters - warmup, eta_min=2e-4)])
train_cfg = dict(max_iters=max_iters, val_interval=4000)
default_hooks = dict(teacher_check=dict(min_top1=90.0))
