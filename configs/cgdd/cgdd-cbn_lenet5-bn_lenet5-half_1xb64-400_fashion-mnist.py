# CGDD ablation: label conditioning by class-conditional BN alone, without
# the label embedding. Everything else as in
# cgdd_lenet5-bn_lenet5-half_1xb64-400_fashion-mnist.py.
_base_ = ['./cgdd_lenet5-bn_lenet5-half_1xb64-400_fashion-mnist.py']
model = dict(generator=dict(condition='cbn'))
