# DeepInversion, ResNet-34 -> ResNet-18 on CIFAR-10 (CMI README: 93.26,
# best epoch, with a 95.70 teacher), zju-vipa's protocol (scripts/deepinv:
# 1000 pixel steps at lr 0.1 per round, bn 10, oh 1, ADI's adv 1, 400 KD
# steps), 200 rounds, student lr 0.1. Teacher: resnet34_8xb16_cifar10.
# Or the zju-vipa teacher (--cfg-options model.teacher.checkpoint=zju.pth):
# https://www.dropbox.com/sh/w8xehuk7debnka3/AABhoazFReE_5mMeyvb4iUWoa?dl=0
#   python tools/model_converters/zju_vipa_to_mmdfkd.py --arch resnet34 \
#     checkpoints/pretrained/cifar10_resnet34.pth zju.pth
_base_ = ['./_base_deepinversion_resnet34_resnet18.py',
          '../_base_/datasets/cifar10.py']
max_iters = 400 * 200
black = [-m / s for m, s in zip(_base_.cifar10_mean, _base_.cifar10_std)]
model = dict(
    teacher=dict(model='resnet34_8xb16_cifar10'),
    synthesizer=dict(
        num_classes=10, iterations=1000, lr=0.1,
        loss_adv=dict(type='JSCompetitionLoss', tau=3.0, loss_weight=1.0)),
    image_pool=dict(augment=[dict(type='BatchRandomCrop', padding=4,
                                  fill=black), dict(type='BatchRandomFlip')]),
    data_preprocessor=dict(mean=_base_.cifar10_mean, std=_base_.cifar10_std))
optim_wrapper = dict(student=dict(optimizer=dict(
    type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4)))
param_scheduler = dict(student=[dict(
    type='CosineAnnealingLR', by_epoch=False, begin=0, end=max_iters,
    T_max=max_iters, eta_min=2e-4)])
train_cfg = dict(max_iters=max_iters, val_interval=4000)
default_hooks = dict(teacher_check=dict(min_top1=90.0))
