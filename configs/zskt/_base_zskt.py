# ZSKT (Micaelli & Storkey, NeurIPS 2019), the official setting
# (polo5/ZeroShotKnowledgeTransfer solver.py, scripts/ZeroShot/main*.sh):
# per pseudo-batch of 128 codes (z_dim 100) one generator step on -KL(T||S),
# then 10 student steps on G(z) of the same codes with KL + 250 x attention
# transfer over the block groups; Adam 1e-3 (G) / 2e-3 (S), cosine annealing
# over the run, gradient norms clipped at 5 (clip_grad_norm_ before each
# step). A network config adds the networks, the image channels and the
# schedule's length.
_base_ = ['../_base_/datasets/latent.py', '../_base_/dfkd_runtime.py']
latent_dim = 100  # z_dim
model = dict(
    type='ZSKT',
    generator=dict(type='ZSKTGenerator', latent_dim=latent_dim, img_size=32),
    loss_kd=dict(type='KDLoss', tau=1.0),  # KL_temperature 1
    loss_at=dict(type='AttentionTransferLoss', loss_weight=250.0),  # AT_beta
    at_stages=None,  # derived: every stage with same-size maps in T and S
    student_steps=10,  # n_student_iter (n_generator_iter 1)
    data_preprocessor=dict(type='DFKDDataPreprocessor'))  # + dataset mean/std
train_dataloader = dict(batch_size=128, dataset=dict(latent_dim=latent_dim))
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adam', lr=1e-3),
                   clip_grad=dict(max_norm=5)),
    student=dict(optimizer=dict(type='Adam', lr=2e-3),
                 clip_grad=dict(max_norm=5)))
