# CGDD, ResNet-34 -> ResNet-18 on GPUs (all ours, README.md): batch and
# schedule shared by the CIFAR-100, Caltech-101 and ImageNet-1k configs,
# which add the data, the networks and the generator. The schedule,
# optimisers and BN weights are CDFKD-MFS's verified CIFAR-100 ones (same
# protocol). Not yet run at this size (no GPU was available): expect to tune
# the lrs.
_base_ = [
    './_base_cgdd.py', '../_base_/models/resnet_cifar.py',
    '../_base_/schedules/dfkd_adam-sgd_15k.py'
]
latent_dim = 256
model = dict(
    student=dict(_base_.resnet18_cifar, type='mmdfkd.FeatureMapClassifier'),
    feature_stages=(1, 2))  # ResNet stages 1 and 2 (128 / 256 channels)

train_dataloader = dict(
    batch_size=32,  # per GPU: 8 x 32 = 256 (CDFKD-MFS)
    dataset=dict(latent_dim=latent_dim))
train_cfg = dict(val_interval=1000)
default_hooks = dict(
    checkpoint=dict(interval=1000, max_keep_ckpts=3),
    teacher_check=dict(min_top1=50.0),
    synthetic=dict(interval=1000))
