# CGDD ablation: no adversarial term (the generator no longer maximises the
# student-teacher discrepancy). Everything else as in
# cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py.
_base_ = ['./cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py']
model = dict(loss_adv=None)
