# SpaceshipNet (Yu et al., CVPR 2023; skgyu/SpaceshipNet @30a76b0,
# model_CFE_mSARC_base_V37.py, scripts/DFKD_Cifar*_V37_conv012*.yaml): one
# persistent CMI-style generator, a new Adam (lr 1e-3, betas 0.5 / 0.999)
# every round, fixed z, class-balanced targets, 0.5 CE + 1 BN (no
# adversarial term) on a crop + flip view; the best batch and the
# generator's features at levels 0, 1, 2 into the pool. Each KD step takes
# one level's features, exchanges channels within pairs (p 0.7), re-renders
# them, and trains the student on KL at T=30 (element mean: weight 1/K)
# + 1 CAM MSE + 1 Grad-CAM MSE over the matching stages. A dataset config
# sets image_size, num_classes, loss_kd's weight and the schedule.
_base_ = ['../_base_/pool_kd_runtime.py']
model = dict(
    type='SpaceshipNet',
    synthesizer=dict(
        type='SpaceshipSynthesizer',
        iterations=200, lr_g=1e-3, levels=(0, 1, 2),
        loss_bn=dict(type='BNStatisticsLoss', loss_weight=1.0,
                     first_bn_multiplier=1.0),
        loss_oh=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=0.5)),
    image_pool=dict(type='ImagePool',
                    keys=('images', 'feat0', 'feat1', 'feat2')),
    loss_kd=dict(type='KDLoss', tau=30.0),
    loss_cam=dict(type='CAMLoss', loss_weight=1.0),
    loss_gradcam=dict(type='GradCAMLoss', loss_weight=1.0),
    exchange_prob=0.7,
    data_preprocessor=dict(type='DFKDDataPreprocessor'))
