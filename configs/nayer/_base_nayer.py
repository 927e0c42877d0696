# NAYER (Tran et al., CVPR 2024; tmtuan1307/NAYER, datafree/synthesis/
# nayer.py, scripts/nayer_100.sh): label-text embeddings through BN1d and
# noisy layers re-drawn every round into a B3 generator, re-created every
# 10 epochs; BN loss with momentum 0.9, CE to balanced targets, masked
# adversarial KL after the warm-up, the best batch of each loop into the
# pool; the student by KL at T=20 on the pool with crop + flip, SGD with
# cosine annealing after the warm-up. One round is one official loop: 2 per
# epoch (rounds_per_synthesis), 10 per warm-up epoch (5 warm-up iterations
# of 2 rounds per epoch). A dataset config sets image_size, num_classes,
# the embeddings, the pool's crop fill and the schedule.
_base_ = ['../_base_/pool_kd_runtime.py']
g_steps, loops = 40, 2
model = dict(
    type='PoolKD',
    synthesizer=dict(
        type='NAYERSynthesizer',
        iterations=g_steps,
        embeddings=None,           # CLIP: tools/nayer_embeddings.py
        noisy_dim=1000, lr_g=4e-3,
        g_life=10 * loops, warmup_g_life=10 * 10,   # 10 epochs
        loss_bn=dict(type='BNStatisticsLoss', loss_weight=10.0,
                     first_bn_multiplier=1.0, momentum=0.9),
        loss_oh=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=0.5),
        loss_adv=dict(type='MaskedKLAdversarialLoss', loss_weight=1.33)),
    image_pool=dict(type='ImagePool', keys=('images', )),
    loss_kd=dict(type='KDLoss', tau=20.0),
    rounds_per_synthesis=loops,
    data_preprocessor=dict(type='DFKDDataPreprocessor'))
