# CDFKD-MFS, three LeNet-5 (BN) teachers -> one 3-header LeNet-5-Half student
# at 32x32, sized for a 2-core CPU: the losses of _base_cdfkd-mfs.py with a
# smaller generator and batch and 300 iterations (official: 300 epochs x 50
# at batch 256); w_feat off (60-d header vs 120-d teacher features). The digits
# and Fashion-MNIST configs add the teachers' weights and the data.
_base_ = ['./_base_cdfkd-mfs.py', '../_base_/models/lenet5.py']
max_iters = 300
model = dict(
    teachers=dict(  # teacher i <-> header i
        t1=dict(model=_base_.lenet5_bn), t2=dict(model=_base_.lenet5_bn),
        t3=dict(model=_base_.lenet5_bn)),
    # the student's own normalisation (set by the dataset config) is unused
    # here (the algorithm's data_preprocessor normalises real images); it
    # travels with the exported student.pth config for mmpretrain's APIs
    student=_base_.mh_lenet5_half,
    generator=dict(
        type='DAFLGenerator', latent_dim=_base_.latent_dim, img_size=32,
        out_channels=1, base_channels=32),  # B1 (eps 0.8); 128 -> 32 for CPU
    loss_feat=None)  # 60-d header vs 120-d teacher features

train_dataloader = dict(
    batch_size=64, num_workers=0, persistent_workers=False)  # 256: paper
param_scheduler = dict(  # MultiStepLR(0.1) at 1/3 and 2/3 of the run
    generator=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                    milestones=[max_iters // 3, 2 * max_iters // 3])],
    student=[dict(type='MultiStepLR', by_epoch=False, gamma=0.1,
                  milestones=[max_iters // 3, 2 * max_iters // 3])])
train_cfg = dict(max_iters=max_iters, val_interval=150)
default_hooks = dict(
    checkpoint=dict(interval=300), synthetic=dict(interval=150))
