# CGDD ablation: no feature-map loss (the student learns from the teacher's
# logits only). Everything else as in
# cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py.
_base_ = ['./cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py']
model = dict(loss_feat=None)
