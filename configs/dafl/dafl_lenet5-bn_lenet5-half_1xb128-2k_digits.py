# DAFL on digits with the BN LeNet-5 teacher of CGDD / CDFKD-MFS instead of
# the plain LeNet-5: the digits config with another teacher, an example of a
# new teacher/student pair for an existing method (docs/configs.md). Not run
# for the results table. First train the teacher (seed 1 of its config):
#   python tools/train.py configs/teachers/teacher_lenet5-bn_digits.py \
#       --cfg-options randomness.seed=1 \
#       --work-dir work_dirs/teacher_lenet5-bn_digits_seed1
_base_ = ['./dafl_lenet5_lenet5-half_1xb128-2k_digits.py']
model = dict(
    teacher=dict(
        # _delete_: replace the inherited LeNet-5 dict instead of merging
        model=dict(_delete_=True, **_base_.lenet5_bn),
        checkpoint='work_dirs/teacher_lenet5-bn_digits_seed1/weights.pth'))
