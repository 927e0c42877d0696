# CGDD, ResNet-34 -> ResNet-18 (CIFAR variants) on CIFAR-100, 32 px:
#   tools/dist_train.sh configs/cgdd/resnet34_resnet18_cifar100.py 8
# (8 GPUs x 32 = batch 256; on one GPU add
#  --cfg-options train_dataloader.batch_size=256). First train the teacher
# (the zoo has no CIFAR-100 ResNet-34):
#   tools/dist_train.sh configs/teachers/teacher_resnet34_8xb16_cifar100.py 8
# Losses, steps and schedule (ours; CDFKD-MFS's schedule) in
# _base_cgdd_resnet34_resnet18.py.
# Or the zju-vipa teacher (--cfg-options model.teacher.checkpoint=zju.pth):
# https://www.dropbox.com/sh/w8xehuk7debnka3/AABhoazFReE_5mMeyvb4iUWoa?dl=0
#   python tools/model_converters/zju_vipa_to_mmdfkd.py --arch resnet34 \
#     checkpoints/pretrained/cifar100_resnet34.pth zju.pth --num-classes 100
_base_ = [
    './_base_cgdd_resnet34_resnet18.py', '../_base_/datasets/cifar100.py'
]
num_classes = 100
teacher = _base_.resnet34_cifar
teacher.head.num_classes = num_classes
model = dict(
    teacher=dict(
        model=teacher,
        checkpoint='work_dirs/teacher_resnet34_8xb16_cifar100/weights.pth'),
    student=dict(head=dict(num_classes=num_classes)),
    generator=dict(
        type='ConditionalDAFLGenerator', num_classes=num_classes,
        condition='embedding', latent_dim=_base_.latent_dim, img_size=32,
        out_channels=3, base_channels=128),  # B1 (eps 0.8)
    # feature_stages 1, 2: 128 x 16 x 16 and 256 x 8 x 8 maps at 32 px
    data_preprocessor=dict(mean=_base_.cifar100_mean,
                           std=_base_.cifar100_std))
