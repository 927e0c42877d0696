# CGDD ablation: unconditional generator (the label is ignored; the label
# loss then takes the teacher's argmax, DAFL's one-hot loss). Everything else
# as in cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py.
_base_ = ['./cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py']
model = dict(generator=dict(condition='none'))
