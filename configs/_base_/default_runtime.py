# Runtime shared by every mmdfkd config (teacher training included).
default_scope = 'mmdfkd'  # mmpretrain classes are written 'mmpretrain.X'
# mmengine's Runner; it trusts full unpickling only for the run's own
# checkpoints (resume / load_from), teachers stay weights_only.
runner_type = 'DFKDRunner'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # mmengine's CheckpointHook, with checkpoints and last_checkpoint
    # renamed into place and old ones deleted only after the new one is in
    checkpoint=dict(
        type='AtomicCheckpointHook', by_epoch=False, interval=1000,
        max_keep_ckpts=2, save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,  # True is faster but not reproducible
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py switches to gloo on machines without CUDA.
    dist_cfg=dict(backend='nccl'),
)

visualizer = dict(
    type='Visualizer', vis_backends=[dict(type='LocalVisBackend')])
# tools/train.py --tensorboard adds dict(type='TensorboardVisBackend').

log_processor = dict(by_epoch=False, window_size=50)
log_level = 'INFO'
load_from = None
resume = False
# diff_rank_seed: every rank draws its own latent codes.
randomness = dict(seed=0, diff_rank_seed=True, deterministic=False)
