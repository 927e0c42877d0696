"""RDSKD: the generator stage (exp-penalised losses, per-epoch snapshots),
the frozen-generator student stage, and the two stages end to end."""
import copy
import glob
import math
import os
import os.path as osp
import sys

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import build_optim_wrapper

from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError

sys.path.insert(0, os.path.dirname(__file__))
from helpers import lenet_algorithm, random_teacher_ckpt  # noqa: E402

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
STAGE2 = 'configs/rdskd/rdskd_generator_lenet5_1xb256-600_digits.py'
STAGE3 = 'configs/rdskd/rdskd_student_lenet5_lenet5-half_1xb256-2k_digits.py'
GEN_OPTIM = dict(
    constructor='PerModuleOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='SGD', lr=0.05)))
STU_OPTIM = dict(
    constructor='PerModuleOptimWrapperConstructor',
    student=dict(optimizer=dict(type='Adam', lr=2e-3)))


@pytest.fixture
def ckpt(tmp_path):
    return random_teacher_ckpt(tmp_path / 'teacher.pth')


def rdskd_cfg(ckpt, **kwargs) -> dict:
    return lenet_algorithm(
        'RDSKD', ckpt, student=None,
        loss_oh=dict(type='OneHotLoss'),
        loss_ie=dict(type='InfoEntropyLoss', log_base=math.e),
        loss_ds=dict(type='ModeSeekingLoss'), **kwargs)


def stage3_cfg(ckpt, **kwargs) -> dict:
    if 'generator_checkpoint' not in kwargs:
        kwargs['init_random'] = True  # a random frozen generator
    return lenet_algorithm(
        'FrozenGeneratorKD', ckpt, loss_kd=dict(type='KDLoss', tau=10.0),
        **kwargs)


# ---------------------------------------------------------------- stage 2


def test_generator_loss_equals_official_formula(ckpt):
    torch.manual_seed(0)
    model = MODELS.build(rdskd_cfg(ckpt))
    model.train()
    model.loss_oh_prev.fill_(0.3)
    model.loss_ie_prev.fill_(-1.5)
    ref = copy.deepcopy(model)
    optim = build_optim_wrapper(model, GEN_OPTIM)
    z = torch.randn(8, 16)
    log = model.train_step(dict(inputs=z), optim)

    # generator-train.py, with the teacher run on each half separately
    x = ref.generator(z)
    x1, x2 = x.split(4)
    o1, o2 = ref.teacher(x1), ref.teacher(x2)
    o = torch.cat([o1, o2])
    loss_oh = F.cross_entropy(o, o.argmax(1))
    p = F.softmax(o, 1).mean(0)
    loss_ie = (p * torch.log(p)).sum()
    lz = torch.norm(x2 - x1) / torch.norm(F.softmax(o2, 1) - F.softmax(o1, 1))
    loss_ds = 1 / (lz + 1e-20)
    loss = (torch.exp(loss_oh - 0.3) + torch.exp(loss_ie + 1.5) + loss_ds)
    assert log['gen.loss'].item() == pytest.approx(loss.item(), rel=1e-5)
    assert log['gen.loss_ds'].item() == pytest.approx(loss_ds.item(),
                                                      rel=1e-5)
    assert log['gen.oh'].item() == pytest.approx(loss_oh.item(), rel=1e-5)
    assert log['gen.ie'].item() == pytest.approx(loss_ie.item(), rel=1e-5)
    # the snapshots the loss just used stay (step 0 is no snapshot step)
    assert model.loss_oh_prev.item() == pytest.approx(0.3)
    assert model.loss_ie_prev.item() == pytest.approx(-1.5)

    # the same update as the official backward + step
    opt = torch.optim.SGD(ref.generator.parameters(), lr=0.05)
    loss.backward()
    opt.step()
    for (k, a), b in zip(model.generator.state_dict().items(),
                         ref.generator.state_dict().values()):
        assert torch.allclose(a, b, atol=1e-6), k
    assert all(p.grad is None for p in model.teacher.parameters())


def test_snapshots_refresh_once_per_epoch_after_snapshot_iter(ckpt):
    torch.manual_seed(0)
    model = MODELS.build(rdskd_cfg(ckpt, epoch_length=4, snapshot_iter=1))
    model.train()
    optim = build_optim_wrapper(
        model, dict(GEN_OPTIM,
                    generator=dict(optimizer=dict(type='Adam', lr=1e-2))))
    prev = (0.0, 0.0)
    for step in range(9):
        log = model.train_step(dict(inputs=torch.randn(8, 16)), optim)
        now = (model.loss_oh_prev.item(), model.loss_ie_prev.item())
        if step in (1, 5):
            assert now != prev, step
            assert now == pytest.approx(
                (log['gen.oh'].item(), log['gen.ie'].item()), abs=1e-7)
        else:
            assert now == prev, step
        prev = now
    assert int(model.num_steps) == 9

    # the snapshots and the step count are checkpointed (resume)
    state = model.state_dict()
    assert {'loss_oh_prev', 'loss_ie_prev', 'num_steps'} <= set(state)
    resumed = MODELS.build(rdskd_cfg(ckpt, epoch_length=4, snapshot_iter=1))
    resumed.load_state_dict(state)
    assert resumed.loss_oh_prev.item() == prev[0]
    assert resumed.loss_ie_prev.item() == prev[1]
    # step 9 = iteration 1 of the third epoch: the resumed model refreshes
    resumed.train()
    optim = build_optim_wrapper(resumed, GEN_OPTIM)
    log = resumed.train_step(dict(inputs=torch.randn(8, 16)), optim)
    assert resumed.loss_oh_prev.item() == pytest.approx(log['gen.oh'].item())
    assert int(resumed.num_steps) == 10


def test_rdskd_refuses_a_student_and_has_nothing_to_predict(ckpt):
    cfg = rdskd_cfg(ckpt)
    with pytest.raises(DFKDInputError, match='remove `student`'):
        MODELS.build(dict(cfg, student=lenet_algorithm('X', ckpt)['student']))
    with pytest.raises(DFKDInputError, match='snapshot_iter'):
        MODELS.build(dict(cfg, epoch_length=4, snapshot_iter=4))
    model = MODELS.build(cfg)
    model.eval()
    with pytest.raises(DFKDInputError, match='no student'):
        model(torch.randn(2, 1, 32, 32), mode='predict')
    optim = build_optim_wrapper(model, GEN_OPTIM)
    with pytest.raises(DFKDInputError, match='even'):
        model.train_step(dict(inputs=torch.randn(7, 16)), optim)


def test_stage3_needs_a_generator_checkpoint(ckpt):
    cfg = stage3_cfg(ckpt)
    cfg.pop('init_random')
    with pytest.raises(DFKDInputError, match='no generator_checkpoint'):
        MODELS.build(cfg)


# ---------------------------------------------------------------- stage 3


@pytest.fixture
def trained_generator(tmp_path):
    """A generator with non-trivial BN running statistics, saved as
    ExportWeightsHook(module='generator') writes it."""
    torch.manual_seed(1)
    gen = MODELS.build(lenet_algorithm('X', None)['generator'])
    gen.train()
    with torch.no_grad():
        for _ in range(3):
            gen(torch.randn(8, 16) * 3 + 1)
    path = tmp_path / 'generator.pth'
    torch.save(dict(state_dict=gen.state_dict(), meta=dict(iter=3)), path)
    return gen, str(path)


def test_stage3_loads_the_generator_exactly_and_keeps_it_frozen(
        ckpt, trained_generator):
    gen, path = trained_generator
    model = MODELS.build(stage3_cfg(ckpt, generator_checkpoint=path))
    saved = gen.state_dict()
    for k, v in model.generator.state_dict().items():
        assert torch.equal(v, saved[k]), k
    model.init_weights()  # the Runner's init must not touch it
    for k, v in model.generator.state_dict().items():
        assert torch.equal(v, saved[k]), k

    model.train()
    assert not model.generator.training and not model.teacher.training
    assert model.student.training
    assert not any(p.requires_grad for p in model.generator.parameters())
    seen = []
    model.student.register_forward_pre_hook(
        lambda module, args: seen.append(args[0].detach().clone()))
    optim = build_optim_wrapper(model, STU_OPTIM)
    student_before = copy.deepcopy(model.student.state_dict())
    codes = [torch.randn(8, 16) for _ in range(3)]
    for z in codes:
        log = model.train_step(dict(inputs=z), optim)
        assert torch.isfinite(log['stu.loss_kd'])
    # running statistics, parameters: all as loaded; no gradient
    for k, v in model.generator.state_dict().items():
        assert torch.equal(v, saved[k]), k
    assert all(p.grad is None for p in model.generator.parameters())
    assert all(p.grad is None for p in model.teacher.parameters())
    # the student learnt, on the eval-mode generator's images
    assert any(not torch.equal(v, model.student.state_dict()[k])
               for k, v in student_before.items())
    gen_train = copy.deepcopy(gen).train()
    gen.eval()
    with torch.no_grad():
        for z, images in zip(codes, seen):
            assert torch.allclose(images, gen(z), atol=1e-6)
            # train-mode (batch statistics) images would differ
            assert not torch.allclose(images, gen_train(z), atol=1e-3)


def test_stage3_checkpoint_errors_and_prefix(ckpt, trained_generator,
                                             tmp_path):
    gen, path = trained_generator
    with pytest.raises(DFKDInputError, match='generator checkpoint not found'):
        MODELS.build(stage3_cfg(
            ckpt, generator_checkpoint=str(tmp_path / 'missing.pth')))

    other = MODELS.build(dict(lenet_algorithm('X', None)['generator'],
                              latent_dim=8))
    bad = tmp_path / 'latent8.pth'
    torch.save(other.state_dict(), bad)
    with pytest.raises(DFKDInputError, match='does not fit the generator'):
        MODELS.build(stage3_cfg(ckpt, generator_checkpoint=str(bad)))

    # a whole stage-2 algorithm's state dict: take the generator out of it
    stage2 = MODELS.build(rdskd_cfg(ckpt))
    stage2.generator.load_state_dict(gen.state_dict())
    whole = tmp_path / 'whole.pth'
    torch.save(dict(state_dict=stage2.state_dict()), whole)
    model = MODELS.build(stage3_cfg(ckpt, generator_checkpoint=str(whole),
                                    generator_prefix='generator.'))
    for k, v in model.generator.state_dict().items():
        assert torch.equal(v, gen.state_dict()[k]), k
    # without the prefix the keys do not fit
    with pytest.raises(DFKDInputError, match='does not fit'):
        MODELS.build(stage3_cfg(ckpt, generator_checkpoint=str(whole)))


# ------------------------------------------------------------ end to end


@pytest.mark.slow
def test_two_stages_through_tools_train(tmp_path, digits_teacher):
    """Stage 2 writes generator.pth; stage 3 distils from it, frozen. Run
    as ``seed_runs.py`` / ``robustness_sweep.py`` chain them.

    Batches of 128 (the configs: 256) keep it near a minute on 2 cores;
    stage 3 reaches ~80 % after 150 iterations (chance: 10 %)."""
    from mmdfkd.analysis.run_logs import run_chain

    gen_dir = str(tmp_path / 'rdskd')
    top1, seconds = run_chain(
        [STAGE2, STAGE3], gen_dir,
        [f'model.teacher.checkpoint={digits_teacher}',
         'train_dataloader.batch_size=128'],
        stage_options=[
            ['train_cfg.max_iters=60', 'model.epoch_length=20'],
            ['train_cfg.max_iters=150', 'train_cfg.val_interval=150']])
    assert len(seconds) == 2

    generator = osp.join(gen_dir, 'generator.pth')
    state = torch.load(generator, weights_only=True)['state_dict']
    assert 'out_bn.running_var' in state and 'fc.weight' in state
    log = open(glob.glob(osp.join(gen_dir, '*', '*.log'))[0]).read()
    teacher_top1 = float(
        log.split('Teacher top-1 on the validation set: teacher ')[1].split(
            '%')[0])
    assert teacher_top1 >= 90  # scored on the test split given to the hook
    assert 'Saving checkpoint at 60 iterations' in log
    assert 'gen.loss_ds' in log and 'stu.' not in log

    # stage 3 ran in {work_dir}-1 on the generator stage 2 exported
    from mmengine.config import Config
    dumped = Config.fromfile(
        glob.glob(osp.join(f'{gen_dir}-1', '*', osp.basename(STAGE3)))[0])
    assert dumped.model.generator_checkpoint == generator
    assert top1 is not None and top1 >= 60, top1
