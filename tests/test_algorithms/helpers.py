"""Small DFKD setups built from the real config pieces."""
import copy

import torch
from mmengine.config import Config

LENET = Config.fromfile('configs/_base_/models/lenet5.py')


def random_teacher_ckpt(path, model=None) -> str:
    """Save a randomly initialised teacher's state dict to ``path``."""
    from mmdfkd.registry import MODELS
    teacher = MODELS.build(copy.deepcopy(model or LENET.lenet5))
    torch.save(teacher.state_dict(), path)
    return str(path)


def lenet_algorithm(type_, ckpt, **kwargs) -> dict:
    cfg = dict(
        type=type_,
        teacher=dict(model=copy.deepcopy(LENET.lenet5), checkpoint=ckpt),
        student=copy.deepcopy(LENET.lenet5_half),
        generator=dict(type='DAFLGenerator', latent_dim=16, img_size=32,
                       out_channels=1, base_channels=16))
    cfg.update(kwargs)
    return cfg


def dafl_cfg(ckpt) -> dict:
    return lenet_algorithm(
        'DAFL', ckpt,
        loss_oh=dict(type='OneHotLoss'),
        loss_ie=dict(type='InfoEntropyLoss', loss_weight=5.0),
        loss_act=dict(type='ActivationLoss', loss_weight=0.1),
        loss_kd=dict(type='KDLoss'))


def dfad_cfg(ckpt, student_steps=2) -> dict:
    return lenet_algorithm(
        'DFAD', ckpt, loss_discrepancy=dict(type='LogitL1Loss'),
        student_steps=student_steps)


OPTIM = dict(
    constructor='PerModuleOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=1e-3)),
    student=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)))
