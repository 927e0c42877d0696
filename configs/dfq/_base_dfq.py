# DFQ as run in the zju-vipa benchmark (zju-vipa/CMI datafree_kd.py
# --method dfq, scripts/dfq/dfq_cifar10_res34_res18.sh): per iteration one
# generator step (BN 1, CE to the teacher's top-1 1, adversarial KL 1,
# balance 20) then 10 student steps, each on a new generator batch, KL at
# T = 1. The benchmark's adversarial term is 0 (its synthesizer gets
# student=teacher); here it uses the student (loss_adv=None restores the
# benchmark). A model config adds the networks and the generator.
_base_ = ['../_base_/datasets/latent.py', '../_base_/dfkd_runtime.py']
student_steps = 10
model = dict(
    type='DFQ',
    loss_bn=dict(type='BNStatisticsLoss', loss_weight=1.0,
                 first_bn_multiplier=1.0),   # DeepInversionHook, summed
    loss_oh=dict(type='OneHotLoss', loss_weight=1.0),
    loss_balance=dict(type='InfoEntropyLoss', log_base=2.718281828459045,
                      loss_weight=20.0),             # ln, as the benchmark
    loss_kd=dict(type='KDLoss', tau=1.0),
    loss_adv=dict(loss_weight=1.0),
    student_steps=student_steps,
    data_preprocessor=dict(type='DFKDDataPreprocessor'))
train_dataloader = dict(  # one batch of codes per generator / student step
    dataset=dict(codes_per_sample=student_steps + 1))
optim_wrapper = dict(
    generator=dict(optimizer=dict(type='Adam', lr=1e-3, betas=(0.5, 0.999))),
    student=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9,
                                weight_decay=1e-4)))
