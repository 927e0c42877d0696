# Runtime of data-free distillation runs (on top of default_runtime.py).
_base_ = ['./default_runtime.py']

# The generator and the student are wrapped for DDP one by one; frozen
# teachers are only moved to the device.
model_wrapper_cfg = dict(
    type='MMSeparateDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=False)

# Speed settings shared by every optimizer (docs/design.md, "Speed
# settings"): bfloat16 autocast where the device computes it natively
# (dtype='auto'; float32 elsewhere) and fused optimizer kernels where torch
# has them. A method config adds one entry per submodule, e.g.
# generator=dict(optimizer=dict(type='Adam', lr=1e-3)), merged over these.
# tools/train.py --no-amp runs in float32; optim_wrapper.defaults.optimizer.
# fused=False restores torch's default optimizer implementation.
optim_wrapper = dict(
    constructor='PerModuleOptimWrapperConstructor',
    defaults=dict(
        type='AutocastOptimWrapper', dtype='auto',
        optimizer=dict(fused=True)))

# Hooks every distillation run has; a config changes one by its key, e.g.
# default_hooks = dict(teacher_check=dict(min_top1=90.0)).
default_hooks = dict(
    # Scores the teacher on the val set before training; stops a run whose
    # teacher is broken (wrong checkpoint or normalisation).
    teacher_check=dict(type='TeacherCheckHook', min_top1=20.0),
    # PNG grids of generated images under work_dir/synthetic/.
    synthetic=dict(type='SyntheticImageHook', interval=1000, num_images=64),
    # The teacher's class histogram on synthetic images every 500
    # iterations; a warning with a hint when they collapse onto few classes.
    diversity=dict(type='SampleDiversityHook', interval=500),
    # A warning when the student's top-1 is at chance at a validation; an
    # error (non-zero exit) when its final one is.
    student_check=dict(type='StudentCheckHook'),
    # One clear error when a loss becomes NaN / inf.
    finite_loss=dict(type='FiniteLossHook'),
    # student.pth + student_config.py in work_dir: the student for plain
    # mmpretrain (get_model, ImageClassificationInferencer).
    export_student=dict(type='ExportStudentHook'),
)

# mmengine's IterBasedTrainLoop, but a resume skips the finished iterations
# in O(1) (with ResumableSampler) instead of drawing their batches again.
train_cfg = dict(
    type='DFKDIterBasedTrainLoop', max_iters=1000, val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
log_processor = dict(by_epoch=False)
