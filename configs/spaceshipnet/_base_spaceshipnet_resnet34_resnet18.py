# SpaceshipNet, ResNet-34 -> ResNet-18 (CIFAR variants) with the official
# schedule (scripts/DFKD_Cifar*_ResNet34_ResNet18_V37_conv012*.yaml): 200
# epochs of one round (200 generator steps on 256 images, ngf 64, z 256)
# and 2000 KD steps of batch 256; SGD lr 0.1 (m 0.9, wd 1e-4), cosine over
# the run. CAM on the last 512x4x4 maps, Grad-CAM on the four stages
# (derived). The pool keeps every round in device memory: 51,200 images
# with their level features, about 21 GB in float32. A dataset config sets
# the teacher, num_classes, loss_kd's weight (1/K) and the normalisation.
_base_ = ['./_base_spaceshipnet.py', '../_base_/models/resnet_cifar.py']
kd_steps, rounds = 2000, 200
max_iters = kd_steps * rounds
model = dict(
    student=dict(_base_.resnet18_cifar, type='mmdfkd.FeatureMapClassifier'),
    synthesizer=dict(
        batch_size=256, image_size=(3, 32, 32),
        generator=dict(type='InversionGenerator', latent_dim=256,
                       img_size=32, out_channels=3, base_channels=64)),
    image_pool=dict(capacity=256 * rounds),
    batch_size=256, kd_steps=kd_steps,
    data_preprocessor=dict(to_rgb=False))
optim_wrapper = dict(student=dict(optimizer=dict(
    type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4)))
param_scheduler = dict(student=[dict(
    type='CosineAnnealingLR', by_epoch=False, begin=0, end=max_iters,
    T_max=max_iters, eta_min=0.0)])
train_cfg = dict(max_iters=max_iters, val_interval=kd_steps)
default_hooks = dict(checkpoint=dict(interval=20000),
                     synthetic=dict(interval=20000))
