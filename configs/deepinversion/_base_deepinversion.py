# DeepInversion (Yin et al., CVPR 2020; NVlabs/DeepInversion and zju-vipa's
# DeepInvSyntheiszer, scripts/deepinv): pixels optimised from noise with
# jitter + flip against the BN-statistics loss, CE to the round's targets and
# a TV-L2 prior; the best batch of each round into the pool, the student by
# KL at T=20 on the pool with crop + flip (zju-vipa's loop: the official KD
# code is not released). A dataset config sets image_size, num_classes and
# the schedule. ADI (the competition term) is deepinversion-adi_*.py.
_base_ = ['../_base_/pool_kd_runtime.py']
model = dict(
    type='PoolKD',
    synthesizer=dict(
        type='DeepInversionSynthesizer',
        lr=0.05, betas=(0.5, 0.99), jitter=2, flip=True,
        loss_bn=dict(type='BNStatisticsLoss', loss_weight=10.0,
                     first_bn_multiplier=1.0),            # r_feature 10
        loss_oh=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
        loss_tv=dict(type='TVLoss', p=2, loss_weight=2.5e-5),  # tv-L2
        loss_l2=None),
    image_pool=dict(type='ImagePool', keys=('images', )),
    loss_kd=dict(type='KDLoss', tau=20.0),
    data_preprocessor=dict(type='DFKDDataPreprocessor'))
