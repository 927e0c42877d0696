# CGDD (conditional generative data-free KD), our reading of the abstract:
# CGDD publishes no code, so every setting is ours (README.md, "Our
# design"). A conditional generator is trained on preset class-balanced
# labels (teacher cross-entropy), the teacher's BN statistics, mode seeking
# and DFAD's adversarial L1; the student learns by KD plus attention transfer
# on backbone stages. The network configs add the networks, the generator,
# the stages, the schedule and the data.
_base_ = ['../_base_/datasets/latent.py']
generator_steps = 1
student_steps = 5  # DFAD / CDFKD-MFS: 5 student steps per generator step
model = dict(
    type='CGDD',
    loss_label=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0),
    loss_bn=dict(type='BNStatisticsLoss', loss_weight=0.1,
                 first_bn_multiplier=5.0),  # CDFKD-MFS's weights
    loss_div=dict(type='ModeSeekingLoss', loss_weight=1.0),
    loss_adv=dict(type='LogitL1Loss', loss_weight=0.3),  # DFAD's D
    loss_kd=dict(type='KDLoss', tau=1.0),
    loss_feat=dict(type='AttentionTransferLoss', loss_weight=250.0),  # ZSKT
    generator_steps=generator_steps,
    student_steps=student_steps,
    data_preprocessor=dict(type='DFKDDataPreprocessor'))  # + dataset mean/std

train_dataloader = dict(  # one batch of codes per update
    dataset=dict(codes_per_sample=generator_steps + student_steps))
# work_dir/generator.pth: the conditional generator alone, for
# tools/generate.py and further distillation runs
custom_hooks = [
    dict(type='ExportWeightsHook', module='generator',
         filename='generator.pth')
]
