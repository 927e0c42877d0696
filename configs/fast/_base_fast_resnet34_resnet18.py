# Fast, ResNet-34 -> ResNet-18 (CIFAR variants) with the zju-vipa CIFAR
# protocol: synthesis and KD batch 256 per GPU, 400 KD steps per round, the
# student by SGD (m 0.9, wd 1e-4) with cosine annealing to 2e-4, the pool
# read with RandomCrop(32, 4) + flip. A dataset config sets the teacher,
# num_classes, the normalisation, lr and rounds. Not run here (no GPU).
_base_ = ['./_base_fast.py', '../_base_/models/resnet_cifar.py']
model = dict(
    student=_base_.resnet18_cifar,
    synthesizer=dict(batch_size=256, image_size=(3, 32, 32)),
    image_pool=dict(capacity=256 * 300, augment=[
        dict(type='BatchRandomCrop', padding=4),  # fill: set per dataset
        dict(type='BatchRandomFlip')]),
    batch_size=256, kd_steps=400,
    data_preprocessor=dict(to_rgb=False))
default_hooks = dict(checkpoint=dict(interval=10000),
                     synthetic=dict(interval=10000))
