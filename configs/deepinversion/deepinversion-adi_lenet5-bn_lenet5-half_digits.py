# Adaptive DeepInversion (ADI): DeepInversion on digits plus the competition
# term (1 - JS of student and teacher at T=3), which prefers images the
# student still gets wrong. Everything else as in
# deepinversion_lenet5-bn_lenet5-half_digits.py.
_base_ = ['./deepinversion_lenet5-bn_lenet5-half_digits.py']
model = dict(synthesizer=dict(
    loss_adv=dict(type='JSCompetitionLoss', tau=3.0, loss_weight=1.0)))
