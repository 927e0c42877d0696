"""DAFL / DFAD steps and the behaviour every algorithm shares."""
import copy
import os
import sys

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import build_optim_wrapper

from mmdfkd.algorithms import BaseDFKD
from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError

sys.path.insert(0, os.path.dirname(__file__))
from helpers import OPTIM, dafl_cfg, dfad_cfg, random_teacher_ckpt  # noqa


@pytest.fixture
def ckpt(tmp_path):
    return random_teacher_ckpt(tmp_path / 'teacher.pth')


def test_teacher_is_loaded_strictly_frozen_and_stays_in_eval(ckpt):
    model = MODELS.build(dafl_cfg(ckpt))
    saved = torch.load(ckpt, weights_only=True)
    for k, v in model.teacher.state_dict().items():
        assert torch.equal(v, saved[k])
    assert not any(p.requires_grad for p in model.teacher.parameters())
    model.train()
    assert not model.teacher.training
    assert model.student.training and model.generator.training
    model.init_weights()  # the Runner calls this: the teacher must survive
    for k, v in model.teacher.state_dict().items():
        assert torch.equal(v, saved[k])


def test_exactly_one_of_teacher_or_teachers(ckpt):
    cfg = dafl_cfg(ckpt)
    cfg['teachers'] = dict(a=copy.deepcopy(cfg['teacher']))
    with pytest.raises(DFKDInputError, match='exactly one'):
        MODELS.build(cfg)


class _MultiTeacher(BaseDFKD):
    multi_teacher = True


def test_several_teachers(ckpt, tmp_path):
    other = random_teacher_ckpt(tmp_path / 'other.pth')
    cfg = dafl_cfg(ckpt)
    teacher = cfg.pop('teacher')
    teachers = dict(t1=teacher, t2=dict(teacher, checkpoint=other))
    model = _MultiTeacher(
        teachers=teachers, student=cfg['student'],
        generator=cfg['generator'])
    model.train()
    assert set(model.frozen_teachers()) == {'t1', 't2'}
    assert all(not t.training for t in model.teachers.values())
    logits = model.teacher_logits(torch.randn(3, 1, 32, 32))
    assert {k: v.shape for k, v in logits.items()} == {
        't1': (3, 10), 't2': (3, 10)}
    assert not torch.equal(logits['t1'], logits['t2'])
    # single-teacher methods refuse a dict of teachers with a clear error
    with pytest.raises(DFKDInputError, match='DAFL distils from one'):
        MODELS.build(dict(dafl_cfg(ckpt), teacher=None, teachers=teachers))


def test_dafl_step_equals_official_joint_update(ckpt):
    """The official code sums L_G and L_S, backwards once and steps both
    optimizers; our two-phase train_step must give the same parameters."""
    torch.manual_seed(0)
    model = MODELS.build(dafl_cfg(ckpt))
    model.train()
    ref = copy.deepcopy(model)
    # SGD for both: Adam would amplify round-off in the near-zero gradients
    # of conv biases that feed a BN.
    sgd = dict(OPTIM, generator=dict(optimizer=dict(type='SGD', lr=0.05)))
    optim = build_optim_wrapper(model, sgd)
    z = torch.randn(8, 16)
    log = model.train_step(dict(inputs=z), optim)
    assert {'gen.loss_oh', 'gen.loss_ie', 'gen.loss_act', 'stu.loss_kd'} <= \
        set(log)

    opt_g = torch.optim.SGD(ref.generator.parameters(), lr=0.05)
    opt_s = torch.optim.SGD(ref.student.parameters(), lr=0.1, momentum=0.9)
    images = ref.generator(z)
    feats = ref.teacher.extract_feat(images)[-1]
    t = ref.teacher.head((feats, ))
    p = F.softmax(t, 1).mean(0)
    loss = (F.cross_entropy(t, t.argmax(1)) + 5 * (p * torch.log10(p)).sum()
            - 0.1 * feats.abs().mean())
    s = ref.student(images.detach())
    loss = loss + F.kl_div(F.log_softmax(s, 1), F.softmax(t.detach(), 1),
                           reduction='sum') / s.size(0)
    loss.backward()
    opt_g.step()
    opt_s.step()
    for name in ('generator', 'student'):
        for (k, a), b in zip(
                getattr(model, name).state_dict().items(),
                getattr(ref, name).state_dict().values()):
            assert torch.allclose(a, b, atol=1e-6), f'{name}.{k}'


def test_dfad_generator_step_leaves_no_gradient_on_student(ckpt):
    model = MODELS.build(dfad_cfg(ckpt, student_steps=2))
    model.train()
    optim = build_optim_wrapper(model, OPTIM)
    z = torch.randn(8, 3, 16)
    log = model.train_step(dict(inputs=z), optim)
    assert log['gen.loss_adv'] <= 0 and log['stu.loss_s'] >= 0
    # update_params zeroes the student's grads after its own step, so any
    # gradient left now came from the generator step
    assert all(p.grad is None or not p.grad.any()
               for p in model.student.parameters())
    assert all(p.requires_grad for p in model.student.parameters())
    assert all(p.grad is None for p in model.teacher.parameters())


def test_dfad_each_update_uses_its_own_codes(ckpt):
    model = MODELS.build(dfad_cfg(ckpt, student_steps=2))
    model.train()
    optim = build_optim_wrapper(model, OPTIM)
    seen = []
    model.generator.register_forward_pre_hook(
        lambda module, args: seen.append(args[0].clone()))
    z = torch.randn(8, 3, 16)
    model.train_step(dict(inputs=z), optim)
    assert len(seen) == 3  # 2 student updates + 1 generator update
    for k, codes in enumerate(seen):
        assert torch.equal(codes, z[:, k])


def test_dfad_step_equals_official_loop(ckpt):
    """DFAD_cifar.py: k student steps on G(z).detach() with L1, then one
    generator step on -L1 (the student's stray gradients are zeroed before
    its next step there; here they never appear)."""
    torch.manual_seed(0)
    model = MODELS.build(dfad_cfg(ckpt, student_steps=2))
    model.train()
    ref = copy.deepcopy(model)
    optim = build_optim_wrapper(model, OPTIM)
    z = torch.randn(8, 3, 16)
    model.train_step(dict(inputs=z), optim)

    opt_g = torch.optim.Adam(ref.generator.parameters(), lr=1e-3)
    opt_s = torch.optim.SGD(ref.student.parameters(), lr=0.1, momentum=0.9)
    for k in range(2):
        fake = ref.generator(z[:, k]).detach()
        t = ref.teacher(fake)
        loss_s = F.l1_loss(ref.student(fake), t.detach())
        opt_s.zero_grad()
        loss_s.backward()
        opt_s.step()
    fake = ref.generator(z[:, 2])
    loss_g = -F.l1_loss(ref.student(fake), ref.teacher(fake))
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    for name in ('generator', 'student'):
        for (k, a), b in zip(
                getattr(model, name).state_dict().items(),
                getattr(ref, name).state_dict().values()):
            assert torch.allclose(a, b, atol=1e-6), f'{name}.{k}'


def test_dfad_rejects_wrong_number_of_codes(ckpt):
    model = MODELS.build(dfad_cfg(ckpt, student_steps=5))
    optim = build_optim_wrapper(model, OPTIM)
    with pytest.raises(DFKDInputError, match='codes_per_sample = 6'):
        model.train_step(dict(inputs=torch.randn(4, 16)), optim)


def test_predict_runs_the_student(ckpt):
    from mmpretrain.structures import DataSample
    model = MODELS.build(dafl_cfg(ckpt))
    model.eval()
    x = torch.randn(2, 1, 32, 32)
    samples = model(x, [DataSample(), DataSample()], mode='predict')
    assert torch.allclose(
        torch.stack([s.pred_score for s in samples]),
        F.softmax(model.student(x), 1))
    with pytest.raises(NotImplementedError):
        model(x, mode='loss')


def test_optim_keys_must_name_submodules(ckpt):
    model = MODELS.build(dafl_cfg(ckpt))
    bad = dict(OPTIM, discriminator=dict(optimizer=dict(type='SGD', lr=1)))
    with pytest.raises(DFKDInputError, match='discriminator'):
        build_optim_wrapper(model, bad)


def test_autocast_wrapper_runs_bf16_and_keeps_fp32_params(ckpt):
    model = MODELS.build(dafl_cfg(ckpt))
    model.train()
    cfg = copy.deepcopy(OPTIM)
    for k in ('generator', 'student'):
        cfg[k]['type'] = 'AutocastOptimWrapper'
    optim = build_optim_wrapper(model, cfg)
    with optim['generator'].optim_context(model.generator):
        assert model.generator(torch.randn(4, 16)).dtype == torch.bfloat16
    log = model.train_step(dict(inputs=torch.randn(4, 16)), optim)
    assert all(torch.isfinite(v) for v in log.values())
    assert all(p.dtype == torch.float32 for p in model.parameters())
