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


def lenet_algorithm(type_, ckpt, teacher=None, **kwargs) -> dict:
    """The one factory of algorithm configs: a LeNet-5 teacher (``teacher``
    another model config), a LeNet-5-Half student and a small DAFL
    generator; ``kwargs`` override or add keys (``teachers=...`` replaces
    the single teacher)."""
    cfg = dict(
        type=type_,
        teacher=dict(model=copy.deepcopy(teacher or LENET.lenet5),
                     checkpoint=ckpt),
        student=copy.deepcopy(LENET.lenet5_half),
        generator=dict(type='DAFLGenerator', latent_dim=16, img_size=32,
                       out_channels=1, base_channels=16))
    if 'teachers' in kwargs:
        del cfg['teacher']
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


def cgdd_cfg(ckpt, teacher=None, condition='embedding', **kwargs) -> dict:
    """CGDD with every loss on; a BN LeNet-5 teacher by default."""
    return lenet_algorithm(
        'CGDD', ckpt, teacher=teacher or LENET.lenet5_bn,
        **{**dict(
            student=dict(copy.deepcopy(LENET.lenet5_half),
                         type='mmdfkd.FeatureMapClassifier'),
            generator=dict(type='ConditionalDAFLGenerator', num_classes=10,
                           condition=condition, latent_dim=16, img_size=32,
                           out_channels=1, base_channels=16),
            loss_label=dict(type='mmpretrain.CrossEntropyLoss'),
            loss_bn=dict(type='BNStatisticsLoss', loss_weight=0.1),
            loss_div=dict(type='ModeSeekingLoss'),
            loss_adv=dict(type='LogitL1Loss'),
            loss_kd=dict(type='KDLoss'),
            loss_feat=dict(type='AttentionTransferLoss', loss_weight=25.0),
            feature_stages=(0, 1),
            generator_steps=1,
            student_steps=2), **kwargs})


def mfs_cfg(tmp_path, num_teachers=3, student_steps=2, **kwargs) -> dict:
    """CDFKD-MFS: ``num_teachers`` random BN LeNet-5 teachers saved under
    ``tmp_path``, a multi-header LeNet-5-Half student."""
    teachers = {
        f't{i}': dict(
            model=copy.deepcopy(LENET.lenet5_bn),
            checkpoint=random_teacher_ckpt(tmp_path / f't{i}.pth',
                                           LENET.lenet5_bn))
        for i in range(1, num_teachers + 1)
    }
    return lenet_algorithm(
        'CDFKDMFS', None,
        **{**dict(
            teachers=teachers,
            student=copy.deepcopy(LENET.mh_lenet5_half),
            generator=dict(type='DAFLGenerator', latent_dim=8, img_size=32,
                           out_channels=1, base_channels=8),
            loss_head=dict(type='LogitL1Loss'),
            loss_adv=dict(type='LogitL1Loss'),
            loss_ens=dict(type='LogitL1Loss', loss_weight=5.0),
            loss_bn=dict(type='BNStatisticsLoss', loss_weight=0.1,
                         first_bn_multiplier=5.0),
            student_steps=student_steps), **kwargs})


def zskt_cfg(ckpt, teacher=None, **kwargs) -> dict:
    """ZSKT: a BN LeNet-5 teacher by default, a ``FeatureMapClassifier``
    student (attention transfer on the derived stages, blocks 0 and 1)."""
    return lenet_algorithm(
        'ZSKT', ckpt, teacher=teacher or LENET.lenet5_bn,
        **{**dict(
            student=dict(copy.deepcopy(LENET.lenet5_half),
                         type='mmdfkd.FeatureMapClassifier'),
            generator=dict(type='ZSKTGenerator', latent_dim=16, img_size=32,
                           out_channels=1, base_channels=16),
            loss_kd=dict(type='KDLoss'),
            loss_at=dict(type='AttentionTransferLoss', loss_weight=25.0),
            student_steps=2), **kwargs})
