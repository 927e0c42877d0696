# Fast DFKD (Fang et al., AAAI 2022; zju-vipa/Fast-Datafree, fast_meta.py,
# scripts/fast_cifar.sh): a B3 meta-generator cloned into a fast generator
# for g inner steps per round (first-order MAML), BN loss with momentum 0.9,
# CE to random targets, masked adversarial KL after the warm-up, the best
# batch of each round into the pool; the student by KL at T=20 on the pool
# with crop + flip, SGD with cosine annealing after the warm-up. A dataset
# config sets image_size, num_classes, the pool's crop fill and the
# schedule. Fast-5 CIFAR-100 weights: bn 10, oh 0.5, adv 1.1 (WRN).
_base_ = ['../_base_/pool_kd_runtime.py']
g_steps = 5  # Fast-2 / 5 / 10
model = dict(
    type='PoolKD',
    synthesizer=dict(
        type='FastSynthesizer',
        iterations=g_steps,
        lr_g=3e-3, lr_z=0.01,                 # Fast-5 (Fast-2: 5e-3, 0.015)
        meta_update='fomaml',
        loss_bn=dict(type='BNStatisticsLoss', loss_weight=10.0,
                     first_bn_multiplier=1.0, momentum=0.9),
        loss_oh=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=0.5),
        loss_adv=dict(type='MaskedKLAdversarialLoss', loss_weight=1.1)),
    image_pool=dict(type='ImagePool', keys=('images', )),
    loss_kd=dict(type='KDLoss', tau=20.0),
    data_preprocessor=dict(type='DFKDDataPreprocessor'))
