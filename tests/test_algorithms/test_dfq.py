"""DFQ: one iteration equals zju-vipa's GenerativeSynthesizer.synthesize +
train() written out (with the student in the adversarial term)."""
import copy
import os.path as osp
import sys

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.optim import build_optim_wrapper

sys.path.insert(0, osp.dirname(__file__))
from helpers import LENET, lenet_algorithm  # noqa: E402

from mmdfkd.registry import MODELS  # noqa: E402
from mmdfkd.utils import DFKDInputError  # noqa: E402


def _dfq_cfg(ckpt, **kwargs):
    return lenet_algorithm(
        'DFQ', ckpt, teacher=LENET.lenet5_bn,
        **{**dict(
            loss_bn=dict(type='BNStatisticsLoss', loss_weight=0.7,
                         first_bn_multiplier=1.0),
            loss_oh=dict(type='OneHotLoss', loss_weight=0.5),
            loss_balance=dict(type='InfoEntropyLoss', log_base=torch.e,
                              loss_weight=20.0),
            loss_kd=dict(type='KDLoss', tau=1.0),
            loss_adv=dict(loss_weight=1.3), student_steps=2), **kwargs})


@pytest.fixture
def bn_ckpt(tmp_path):
    torch.manual_seed(0)
    teacher = MODELS.build(copy.deepcopy(LENET.lenet5_bn))
    for m in teacher.modules():   # statistics a random batch does not match
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.normal_(0, 0.5)
            m.running_var.uniform_(0.5, 2.)
    torch.save(teacher.state_dict(), tmp_path / 't.pth')
    return str(tmp_path / 't.pth')


# SGD for G here (the benchmark: Adam 1e-3): the generator's biases that
# feed a BN layer have a zero gradient up to float noise, which Adam would
# turn into steps of +-lr in either loop
OPTIM = dict(
    constructor='PerModuleOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9)),
    student=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9)))


def _kl(s, t):  # zju-vipa kldiv at T = 1
    return F.kl_div(F.log_softmax(s, 1), F.softmax(t, 1),
                    reduction='batchmean')


@pytest.mark.parametrize('adv', [True, False])
def test_dfq_step_equals_the_benchmark_loop(bn_ckpt, adv):
    torch.manual_seed(0)
    cfg = _dfq_cfg(bn_ckpt) if adv else _dfq_cfg(bn_ckpt, loss_adv=None)
    model = MODELS.build(cfg)
    model.train()
    ref = copy.deepcopy(model)
    optim = build_optim_wrapper(model, OPTIM)
    z = torch.randn(8, 3, 16)
    log = model.train_step(dict(inputs=z), optim)
    assert ('gen.loss_adv' in log) == adv

    opt_g = torch.optim.SGD(ref.generator.parameters(), 0.01, momentum=0.9)
    opt_s = torch.optim.SGD(ref.student.parameters(), 0.05, momentum=0.9)
    # GenerativeSynthesizer.synthesize, one g_step
    r_feature = []

    def hook(module, inputs, output):  # DeepInversionHook
        x = inputs[0]
        mean = x.mean([0, 2, 3])
        var = x.permute(1, 0, 2, 3).reshape(x.size(1), -1).var(
            1, unbiased=False)
        r_feature.append(torch.norm(module.running_var - var, 2) +
                         torch.norm(module.running_mean - mean, 2))

    handles = [m.register_forward_hook(hook) for m in ref.teacher.modules()
               if isinstance(m, nn.BatchNorm2d)]
    inputs = ref.generator(z[:, 0])
    t_out = ref.teacher(inputs)
    for h in handles:
        h.remove()
    p = F.softmax(t_out, 1).mean(0)
    loss = 0.7 * sum(r_feature) + 0.5 * F.cross_entropy(
        t_out, t_out.max(1)[1]) + 20 * (p * torch.log(p)).sum()
    if adv:
        loss = loss - 1.3 * _kl(ref.student(inputs), t_out)
    opt_g.zero_grad()
    loss.backward()
    opt_g.step()
    # train(): kd_steps on synthesizer.sample(), KL at T = 1
    for k in (1, 2):
        with torch.no_grad():
            images = ref.generator(z[:, k])
            t = ref.teacher(images)
        loss_s = _kl(ref.student(images), t)
        opt_s.zero_grad()
        loss_s.backward()
        opt_s.step()
    for name in ('generator', 'student'):
        for (k, a), b in zip(getattr(model, name).state_dict().items(),
                             getattr(ref, name).state_dict().values()):
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5,
                                       msg=f'{name}.{k}')
    assert all(p.grad is None for p in model.teacher.parameters())


def test_teacher_without_batch_norm_is_refused(tmp_path):
    ckpt = tmp_path / 'plain.pth'
    torch.save(MODELS.build(copy.deepcopy(LENET.lenet5)).state_dict(), ckpt)
    with pytest.raises(DFKDInputError, match='no BatchNorm2d layer'):
        cfg = _dfq_cfg(str(ckpt))
        cfg['teacher']['model'] = copy.deepcopy(LENET.lenet5)
        MODELS.build(cfg)
