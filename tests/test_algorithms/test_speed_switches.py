"""The speed settings (bfloat16 autocast, channels_last, fused optimizers,
torch.compile) change the speed, not the computation."""
import copy
import os.path as osp
import sys

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.optim import OptimWrapper, build_optim_wrapper

import mmdfkd.optim.autocast_optim_wrapper as aow
from mmdfkd.algorithms import BaseDFKD
from mmdfkd.apis import train as train_tool
from mmdfkd.registry import DATASETS, MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from helpers import (LENET, OPTIM, dafl_cfg, dfad_cfg,  # noqa: E402
                     random_teacher_ckpt)

DAFL = 'configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py'
DFAD = 'configs/dfad/dfad_lenet5_lenet5-half_1xb128-1k_digits.py'
CGDD = 'configs/cgdd/cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py'


def conv_weights(module: nn.Module) -> list:
    """4-d weights whose memory formats differ (>1 input channel and
    pixel)."""
    return [p for p in module.parameters()
            if p.dim() == 4 and p.size(1) > 1 and p[0, 0].numel() > 1]


def is_channels_last(module: nn.Module) -> bool:
    weights = conv_weights(module)
    assert weights
    return all(not p.is_contiguous() and
               p.is_contiguous(memory_format=torch.channels_last)
               for p in weights)


def is_contiguous(module: nn.Module) -> bool:
    return all(p.is_contiguous() for p in module.parameters())


@pytest.fixture
def ckpt(tmp_path):
    return random_teacher_ckpt(tmp_path / 'teacher.pth')


def test_channels_last_switch(ckpt):
    models = {}
    for channels_last in (False, True):
        torch.manual_seed(0)
        models[channels_last] = MODELS.build(
            dict(dafl_cfg(ckpt), channels_last=channels_last))
    plain, fast = models[False], models[True]
    for name, net in fast.networks().items():
        assert is_channels_last(net), name
        assert is_contiguous(plain.networks()[name]), name
    # same weights, same keys
    for key, value in plain.state_dict().items():
        torch.testing.assert_close(fast.state_dict()[key], value, rtol=0,
                                   atol=0)
    # the student's validation predictions agree (float32: only the order
    # of the convolution sums differs)
    images = torch.randn(8, 1, 32, 32)
    plain.eval()
    fast.eval()
    with torch.no_grad():
        preds = [m(images, None, mode='predict') for m in (plain, fast)]
    for a, b in zip(*preds):
        torch.testing.assert_close(b.pred_score, a.pred_score, rtol=1e-5,
                                   atol=1e-6)
        assert int(b.pred_label) == int(a.pred_label)
    # a plain checkpoint loads into the channels-last model and keeps the
    # format (copy_ into the existing parameters)
    fast.load_state_dict(plain.state_dict())
    assert is_channels_last(fast.student)


def _all_algorithms(tmp_path, ckpt):
    generator = dict(type='DAFLGenerator', latent_dim=16, img_size=32,
                     out_channels=1, base_channels=16)
    gen_path = str(tmp_path / 'generator.pth')
    torch.save(MODELS.build(generator).state_dict(), gen_path)
    teachers = {
        f't{i}': dict(model=copy.deepcopy(LENET.lenet5_bn),
                      init_random=True)
        for i in (1, 2)
    }
    return dict(
        DAFL=dafl_cfg(ckpt),
        DFAD=dfad_cfg(ckpt),
        RDSKD=dict(
            type='RDSKD', teacher=dict(model=copy.deepcopy(LENET.lenet5),
                                       checkpoint=ckpt),
            generator=generator, loss_oh=dict(type='OneHotLoss'),
            loss_ie=dict(type='InfoEntropyLoss'),
            loss_ds=dict(type='ModeSeekingLoss')),
        FrozenGeneratorKD=dict(
            type='FrozenGeneratorKD', teacher=dict(
                model=copy.deepcopy(LENET.lenet5), checkpoint=ckpt),
            student=copy.deepcopy(LENET.lenet5_half), generator=generator,
            loss_kd=dict(type='KDLoss'), generator_checkpoint=gen_path),
        CDFKDMFS=dict(
            type='CDFKDMFS', teachers=teachers,
            student=dict(copy.deepcopy(LENET.mh_lenet5_half),
                         backbone=dict(type='MultiHeaderLeNet5',
                                       num_heads=2, channels=(3, 8, 60))),
            generator=generator, loss_head=dict(type='LogitL1Loss'),
            loss_adv=dict(type='LogitL1Loss'),
            loss_ens=dict(type='LogitL1Loss'),
            loss_bn=dict(type='BNStatisticsLoss'), student_steps=1))


@pytest.mark.parametrize('method', ['DAFL', 'DFAD', 'RDSKD',
                                    'FrozenGeneratorKD', 'CDFKDMFS'])
def test_every_algorithm_takes_the_switches(method, tmp_path, ckpt):
    cfg = _all_algorithms(tmp_path, ckpt)[method]
    model = MODELS.build(dict(cfg, channels_last=True,
                              compile=dict(backend='eager')))
    plain = MODELS.build(dict(cfg, channels_last=False))
    assert isinstance(model, BaseDFKD)
    for name, net in model.networks().items():
        assert is_channels_last(net), name
        compiled = [m for m in net.modules()
                    if getattr(m, '_compiled_call_impl', None) is not None]
        assert compiled, name  # nn.Module.compile: in place
    # compiling in place keeps the state_dict keys, so checkpoints load
    # both ways
    assert list(model.state_dict()) == list(plain.state_dict())
    plain.load_state_dict(model.state_dict())
    model.load_state_dict(plain.state_dict())


@pytest.mark.slow
def test_compiled_algorithm_trains_and_checkpoints(tmp_path, ckpt):
    torch.manual_seed(0)
    model = MODELS.build(dict(dafl_cfg(ckpt),
                              compile=dict(backend='eager')))
    model.train()
    optim = build_optim_wrapper(model, copy.deepcopy(OPTIM))
    log_vars = model.train_step(dict(inputs=torch.randn(8, 16)), optim)
    assert all(torch.isfinite(v) for v in log_vars.values())
    path = tmp_path / 'algorithm.pth'
    torch.save(model.state_dict(), path)
    eager = MODELS.build(dict(dafl_cfg(ckpt), channels_last=False))
    eager.load_state_dict(torch.load(path, weights_only=True))
    images = torch.randn(4, 1, 32, 32)
    model.eval()
    eager.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(images), eager(images), rtol=1e-5,
                                   atol=1e-5)


def test_teacher_runs_without_grad_in_student_steps(ckpt):
    """DFAD: the teacher runs once per update, without autograd in the
    student steps (no gradient flows to the generator there) and with it
    in the generator step; DAFL: once per iteration (the student step
    reuses the generator step's logits)."""
    for cfg, expected in ((dfad_cfg(ckpt, student_steps=2),
                           [False, False, True]), (dafl_cfg(ckpt), [True])):
        model = MODELS.build(cfg)
        model.train()
        optim = build_optim_wrapper(model, copy.deepcopy(OPTIM))
        calls = []
        model.teacher.backbone.register_forward_hook(
            lambda m, i, o: calls.append(torch.is_grad_enabled()))
        codes = 1 + getattr(model, 'student_steps', 0)
        z = torch.randn(4, codes, 16) if codes > 1 else torch.randn(4, 16)
        model.train_step(dict(inputs=z), optim)
        assert calls == expected, cfg['type']


# ------------------------------------------------------------------------
# A few iterations of the digits configs: speed defaults vs everything off

def _short_run(config, teacher, fast, patch=None, iters=5, batch_size=16):
    """``iters`` train steps of ``config`` as tools/train.py sets it up:
    with the config's speed defaults (``fast``) or with ``--no-amp``,
    ``model.channels_last=False`` and unfused optimizers. Returns the
    logged losses, the student's weight change and its logits' change on
    fixed probe images."""
    flags = [] if fast else ['--no-amp']
    options = [f'model.teacher.checkpoint={teacher}']
    if not fast:
        options += ['model.channels_last=False',
                    'optim_wrapper.defaults.optimizer.fused=False']
    cfg = train_tool.merge_args(
        Config.fromfile(osp.join(ROOT, config)),
        train_tool.parse_args([config, *flags, '--cfg-options', *options]))
    if patch is not None:
        patch(cfg)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    # the settings really differ
    assert is_channels_last(model.student) == fast
    for wrapper in optim.values():
        assert (type(wrapper) is OptimWrapper) != fast
        assert wrapper.optimizer.defaults['fused'] == fast
        if fast:
            assert wrapper.cast_dtype == torch.bfloat16
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    probe = torch.randn(64, 1, 32, 32,
                        generator=torch.Generator().manual_seed(1))

    def student_state():
        model.eval()
        with torch.no_grad():
            logits = model(probe)
        model.train()
        return (torch.cat([p.detach().flatten().clone()
                           for p in model.student.parameters()]), logits)

    weights0, logits0 = student_state()
    losses = []
    for it in range(iters):
        data = default_collate(
            [dataset[it * batch_size + i] for i in range(batch_size)])
        losses.append({k: float(v.detach())
                       for k, v in model.train_step(data, optim).items()})
    weights, logits = student_state()
    return losses, weights - weights0, logits - logits0


def _loss_error(losses, ref_losses):
    """Largest relative difference of a logged loss (any iteration; other
    logged values, e.g. CGDD's label agreement, move in steps of 1/N)."""
    return max(abs(a[k] - b[k]) / max(abs(b[k]), 0.05)
               for a, b in zip(losses, ref_losses) for k in b if 'loss' in k)


def _rel(a, b):
    return float((a - b).norm() / b.norm())


def _sgd(cfg):
    # DAFL's Adam steps (generator lr 0.2) turn any rounding difference into
    # a different trajectory at once: Adam's first steps are +-lr for
    # near-zero gradients whatever their size, and the one-hot loss's
    # arg-max labels flip on near-ties. Measured (5 iterations, batch 16,
    # trained teacher): the student's update then differs by 30-60 % under
    # bfloat16 (and ~2 % with float32 channels_last alone), as much as
    # after changing a loss weight by 20 %, so no tolerance could tell a
    # wrong computation from rounding. With SGD (the generator nearly
    # fixed) the same models, losses, data and speed settings are compared.
    cfg.optim_wrapper.generator.optimizer = dict(type='SGD', lr=1e-4)
    cfg.optim_wrapper.student.optimizer = dict(type='SGD', lr=0.1,
                                               momentum=0.9)


def _gentle_sgd(cfg):
    # CGDD: Adam at generator lr 1e-2 amplifies rounding as DAFL's does, and
    # its 25 student steps (KD + attention transfer) at SGD 0.1 drift apart
    # by ~20 % under bfloat16, the size of a wrong KD weight's effect. At
    # student lr 0.01 (two trained teachers, 5 iterations): rounding moves
    # the losses by <= 1.6 % and the student's update by <= 1.9 %; the KD
    # weight x0.9 moves the losses by >= 9.7 %.
    cfg.optim_wrapper.generator.optimizer = dict(type='SGD', lr=1e-4)
    cfg.optim_wrapper.student.optimizer = dict(type='SGD', lr=0.01,
                                               momentum=0.9)


# Tolerances, from the measured spread of bfloat16 autocast + channels_last
# + fused optimizers against float32 / contiguous / unfused (seeds 0-2,
# batch 16, 5 iterations; DAFL with the SGD above, DFAD as configured):
# logged losses differ by at most 2.2 % (bfloat16 keeps 8 bits of
# mantissa, ~0.4 % per rounding), the student's weight update and logits
# by at most 6 %. A wrong computation is well above: scaling one loss term
# by 0.9 moves the logged losses by >= 10 % (checked below), dropping
# DAFL's activation loss by 100 %, a student momentum of 0.8 instead of
# 0.9 moves the student's update by 37 %, DAFL's KD temperature 2 instead
# of 1 by 65 %.
LOSS_RTOL = 0.05
STUDENT_RTOL = 0.12


@pytest.mark.parametrize('config,patch,wrong', [
    (DAFL, _sgd, lambda cfg: cfg.model.loss_kd.update(loss_weight=0.9)),
    (DFAD, None,
     lambda cfg: cfg.model.loss_discrepancy.update(loss_weight=0.9)),
    (CGDD, _gentle_sgd,
     lambda cfg: cfg.model.loss_kd.update(loss_weight=0.9)),
])
@pytest.mark.slow
def test_speed_defaults_keep_the_computation(config, patch, wrong, request,
                                             monkeypatch):
    # CGDD's BN-statistics prior needs the LeNet-5 (BN) teacher
    digits_teacher = request.getfixturevalue(
        'digits_bn_teacher' if config == CGDD else 'digits_teacher')
    # bfloat16 whatever this machine's CPU: 'auto' resolves as on one with
    # native bfloat16
    monkeypatch.setattr(aow, 'native_bf16', lambda device: True)
    ref_losses, ref_dw, ref_dl = _short_run(config, digits_teacher, False,
                                            patch)
    losses, dw, dl = _short_run(config, digits_teacher, True, patch)
    assert _loss_error(losses, ref_losses) < LOSS_RTOL
    assert _rel(dw, ref_dw) < STUDENT_RTOL
    assert _rel(dl, ref_dl) < STUDENT_RTOL

    # the tolerance catches a wrong loss (negative control, float32)
    def patched(cfg):
        if patch is not None:
            patch(cfg)
        wrong(cfg)

    wrong_losses, _, _ = _short_run(config, digits_teacher, False, patched)
    assert _loss_error(wrong_losses, ref_losses) > 1.5 * LOSS_RTOL
