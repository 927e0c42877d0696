# CMI (Fang et al., IJCAI 2021; zju-vipa/CMI contrastive.py,
# scripts/cmi/scratch_cmi_*.sh): a B3 generator re-drawn every round with a
# new learnable z, BN + CE + masked adversarial KL on a crop + flip view, the
# contrastive term between the instance means of the teacher's BN inputs on
# a local (resized-crop) and the global view against a memory bank, the best
# batch of each round into the pool; the student by KL at T=20 on the pool
# with crop + flip. Scratch CMI weights: adv 0.5, bn 1, oh 1, cr 0.8, cr_T
# 0.1, lr_g 1e-3, 200 steps per round. A dataset config sets image_size,
# num_classes and the schedule.
_base_ = ['../_base_/pool_kd_runtime.py']
model = dict(
    type='PoolKD',
    synthesizer=dict(
        type='CMISynthesizer',
        iterations=200, lr_g=1e-3, head_dim=256, bank_size=40960,
        num_negatives=4096,
        loss_bn=dict(type='BNStatisticsLoss', loss_weight=1.0,
                     first_bn_multiplier=1.0),
        loss_oh=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
        loss_adv=dict(type='MaskedKLAdversarialLoss', loss_weight=0.5),
        loss_cr=dict(type='CMIContrastiveLoss', temperature=0.1,
                     loss_weight=0.8)),
    image_pool=dict(type='ImagePool', keys=('images', )),
    loss_kd=dict(type='KDLoss', tau=20.0),
    data_preprocessor=dict(type='DFKDDataPreprocessor'))
