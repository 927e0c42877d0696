"""CGDD (our design from the abstract): preset labels, the generator and
student steps, feature maps, adapters and errors."""
import copy
import os
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError

sys.path.insert(0, os.path.dirname(__file__))
from helpers import LENET, cgdd_cfg, random_teacher_ckpt  # noqa: E402


def optim(model, lr_g=1e-3, adapters=False):
    cfg = dict(
        constructor='PerModuleOptimWrapperConstructor',
        generator=dict(optimizer=dict(type='Adam', lr=lr_g)),
        student=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)))
    if adapters:
        cfg['adapters'] = dict(optimizer=dict(type='SGD', lr=0.1))
    return build_optim_wrapper(model, cfg)


@pytest.fixture
def bn_ckpt(tmp_path):
    return random_teacher_ckpt(tmp_path / 't.pth', LENET.lenet5_bn)


def _codes(n, steps, dim=16):
    return dict(inputs=torch.randn(n, steps, dim))


def test_preset_labels_are_class_balanced(bn_ckpt):
    model = MODELS.build(cgdd_cfg(bn_ckpt))
    labels = model.preset_labels(64, torch.device('cpu'))
    half = labels[:32]
    torch.testing.assert_close(labels[32:], half)  # halves share labels
    assert set(torch.bincount(half, minlength=10).tolist()) <= {3, 4}
    model = MODELS.build(cgdd_cfg(bn_ckpt, loss_div=None))
    counts = torch.bincount(model.preset_labels(64, torch.device('cpu')),
                            minlength=10)
    assert set(counts.tolist()) <= {6, 7}


def test_ranks_get_different_preset_labels(bn_ckpt, monkeypatch):
    import mmdfkd.algorithms.cgdd as cgdd_module
    model = MODELS.build(cgdd_cfg(bn_ckpt, loss_div=None))
    labels = {}
    state = copy.deepcopy(model.state_dict())
    for rank in (0, 1):
        # each rank is built alike but seeded differently (diff_rank_seed)
        model.load_state_dict(state)
        monkeypatch.setattr(cgdd_module, 'get_rank', lambda: rank)
        torch.manual_seed(100 + rank)
        labels[rank] = model.preset_labels(8, torch.device('cpu'))
    torch.testing.assert_close(labels[1], (labels[0] + 8) % 10)
    # two ranks of 8 cover 16 consecutive classes: all 10, 6 of them twice
    both = torch.bincount(torch.cat(list(labels.values())), minlength=10)
    assert set(both.tolist()) == {1, 2}


def test_train_step_updates_generator_and_student_not_teacher(bn_ckpt):
    torch.manual_seed(0)
    model = MODELS.build(cgdd_cfg(bn_ckpt))
    model.train()
    wrappers = optim(model)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    log = model.train_step(_codes(8, 3), wrappers)
    assert {'gen.loss_label', 'gen.loss_bn', 'gen.loss_div', 'gen.loss_adv',
            'gen.agreement', 'stu.loss_kd', 'stu.loss_feat'} <= set(log)
    assert log['gen.loss_adv'] <= 0  # the generator maximises D
    after = model.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert any(k.startswith('generator.') for k in changed)
    assert any(k.startswith('student.') for k in changed)
    assert not any(k.startswith('teacher.') for k in changed)


def test_generator_step_leaves_the_student_weights_untouched(bn_ckpt):
    model = MODELS.build(cgdd_cfg(bn_ckpt, student_steps=0))
    model.train()
    wrappers = optim(model)
    student = {k: v.clone() for k, v in model.student.state_dict().items()}
    model.train_step(_codes(8, 1), wrappers)
    for k, v in model.student.state_dict().items():
        assert torch.equal(v, student[k]), k
    assert all(p.grad is None or not p.grad.any()
               for p in model.student.parameters())


def test_unconditional_ablation_follows_the_teacher_argmax(bn_ckpt):
    model = MODELS.build(
        cgdd_cfg(bn_ckpt, condition='none', student_steps=0))
    model.train()
    log = model.train_step(_codes(8, 1), optim(model))
    assert log['gen.agreement'] == 1.0  # its targets are the argmax


def test_fitnet_adapters_map_student_to_teacher_channels(bn_ckpt):
    model = MODELS.build(
        cgdd_cfg(bn_ckpt, loss_feat=dict(type='FitNetLoss'),
                 feature_adapters=True))
    assert [(a.in_channels, a.out_channels)
            for a in model.adapters.convs] == [(3, 6), (8, 16)]
    model.train()
    wrappers = optim(model, adapters=True)
    before = [a.weight.clone() for a in model.adapters.convs]
    log = model.train_step(_codes(8, 3), wrappers)
    assert torch.isfinite(log['stu.loss_feat'])
    assert all(not torch.equal(b, a.weight)
               for b, a in zip(before, model.adapters.convs))
    with pytest.raises(DFKDInputError, match='optim_wrapper.adapters'):
        model.train_step(_codes(8, 3), optim(model))  # no adapters entry


def test_errors(bn_ckpt):
    with pytest.raises(DFKDInputError, match='FeatureMapClassifier'):
        MODELS.build(cgdd_cfg(bn_ckpt, student=copy.deepcopy(
            LENET.lenet5_half)))
    with pytest.raises(DFKDInputError, match='conditional generator'):
        MODELS.build(cgdd_cfg(bn_ckpt, generator=dict(
            type='DAFLGenerator', latent_dim=16, out_channels=1,
            base_channels=16)))
    model = MODELS.build(cgdd_cfg(bn_ckpt))
    model.train()
    with pytest.raises(DFKDInputError, match='codes_per_sample = 3'):
        model.train_step(_codes(8, 2), optim(model))
    with pytest.raises(DFKDInputError, match='must be even'):
        model.train_step(_codes(7, 3), optim(model))


def test_conditioning_controls_the_teacher_class(digits_teacher):
    """Generator steps on the label loss alone: afterwards G(z, k) is class
    k for the trained teacher, and the same z with another label changes
    the teacher's class."""
    torch.manual_seed(0)
    cfg = cgdd_cfg(digits_teacher, teacher=LENET.lenet5, condition='both',
                   loss_bn=None,
                   loss_div=None, loss_adv=None, loss_feat=None,
                   generator_steps=1, student_steps=0)
    model = MODELS.build(cfg)
    model.train()
    wrappers = optim(model, lr_g=1e-2)
    for _ in range(150):
        log = model.train_step(_codes(40, 1), wrappers)
    assert log['gen.agreement'] > 0.9
    model.eval()
    z = torch.randn(100, 16)
    with torch.no_grad():
        preds = torch.stack([
            model.teacher(model.generator(z, torch.full((100, ), k))).argmax(1)
            for k in range(10)])                              # (10, 100)
    agreement = (preds == torch.arange(10)[:, None]).float().mean()
    assert agreement > 0.9
    # for one z, the teacher's class follows the label
    distinct = torch.tensor([len(set(preds[:, i].tolist()))
                             for i in range(100)])
    assert distinct.float().mean() > 8


MMPRETRAIN_LENET5 = dict(
    _scope_='mmpretrain', type='ImageClassifier',
    backbone=dict(type='LeNet5', num_classes=10), head=dict(type='ClsHead'))


def test_teacher_without_batch_norm(tmp_path):
    """mmpretrain's LeNet5 (no BN, no ``out_indices``): a BN-statistics
    loss is refused at build time; without it and without the feature
    loss the teacher is never asked for stages and one step runs."""
    ckpt = random_teacher_ckpt(tmp_path / 'plain.pth', MMPRETRAIN_LENET5)
    with pytest.raises(DFKDInputError, match='no BatchNorm2d layer'):
        MODELS.build(cgdd_cfg(ckpt, teacher=MMPRETRAIN_LENET5,
                              loss_feat=None))
    model = MODELS.build(cgdd_cfg(ckpt, teacher=MMPRETRAIN_LENET5,
                                  loss_bn=None, loss_feat=None))
    model.train()
    log = model.train_step(_codes(8, 3), optim(model))
    assert torch.isfinite(log['stu.loss_kd'])
    assert 'stu.loss_feat' not in log and 'gen.loss_bn' not in log


def test_feature_stages_are_checked_against_the_networks(bn_ckpt):
    """The LeNet pair has maps of equal size at stages 0 and 1 only; a
    stage that does not pair is refused at build time, naming the valid
    ones."""
    MODELS.build(cgdd_cfg(bn_ckpt, feature_stages=(0, 1)))
    with pytest.raises(DFKDInputError,
                       match=r'feature_stages=\(1, 2\).*pair \(0, 1\).*'
                             r'Fix: model.feature_stages=\(0, 1\)'):
        MODELS.build(cgdd_cfg(bn_ckpt, feature_stages=(1, 2)))


def test_resnet_teacher_stages_that_do_not_pair_are_refused(tmp_path):
    """The narrow BN ResNet teacher (32/16/8/4 px stages) and LeNet-5-Half
    (14/5 px) share no map size: the feature loss is refused at build time
    with the fix, and without it the pair builds."""
    resnet = Config.fromfile(
        'configs/_base_/models/resnet_cifar.py').resnet18_cifar_narrow
    ckpt = random_teacher_ckpt(tmp_path / 'resnet.pth', resnet)
    with pytest.raises(DFKDInputError,
                       match=r'pair none\. Fix: model\.loss_feat=None'):
        MODELS.build(cgdd_cfg(ckpt, teacher=resnet))
    MODELS.build(cgdd_cfg(ckpt, teacher=resnet, loss_feat=None))
