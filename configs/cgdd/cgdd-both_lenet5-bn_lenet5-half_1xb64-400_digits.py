# CGDD ablation: label conditioning by both the embedding of y (times z) and
# class-conditional BN. Everything else as in
# cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py.
_base_ = ['./cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py']
model = dict(generator=dict(condition='both'))
