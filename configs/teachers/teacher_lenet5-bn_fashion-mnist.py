# LeNet-5 with BatchNorm after each convolution (ours), trained like
# teacher_lenet5_fashion-mnist.py. These are the CDFKD-MFS teachers: its
# generator matches the teachers' BN statistics. Three teachers = this
# config run with three seeds (the CDFKD-MFS configs load these paths):
#   for s in 1 2 3; do python tools/train.py \
#       configs/teachers/teacher_lenet5-bn_fashion-mnist.py \
#       --cfg-options randomness.seed=$s \
#       --work-dir work_dirs/teacher_lenet5-bn_fashion-mnist_seed$s; done
_base_ = ['./teacher_lenet5_fashion-mnist.py']
model = dict(backbone=dict(norm_cfg=dict(type='BN')))
