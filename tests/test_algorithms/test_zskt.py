"""ZSKT: one iteration equals polo5/ZeroShotKnowledgeTransfer's solver.py
loop written out; the AT stages are derived from (or checked against) the
networks at build time; a short run distils."""
import copy
import os.path as osp
import sys

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

sys.path.insert(0, osp.dirname(__file__))
from helpers import LENET, random_teacher_ckpt, zskt_cfg  # noqa: E402

from mmdfkd.registry import MODELS  # noqa: E402
from mmdfkd.utils import DFKDInputError  # noqa: E402

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
WRN = Config.fromfile(osp.join(ROOT, 'configs/_base_/models/wide_resnet.py'))
DIGITS = 'configs/zskt/zskt_lenet5-bn_lenet5-half_digits.py'


@pytest.fixture
def bn_ckpt(tmp_path):
    return random_teacher_ckpt(tmp_path / 't.pth', LENET.lenet5_bn)


# SGD (ZSKT: Adam): the generator's biases that feed a BN layer have a zero
# gradient up to float noise, which Adam would turn into steps of +-lr in
# either loop. Clipping at 5 as in solver.py, through mmengine's clip_grad.
OPTIM = dict(
    constructor='PerModuleOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9),
                   clip_grad=dict(max_norm=5)),
    student=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9),
                 clip_grad=dict(max_norm=5)))


def _at(x):  # solver.py attention()
    return F.normalize(x.pow(2).mean(1).view(x.size(0), -1))


def _divergence(s, t, w):  # solver.py divergence(), T = 1: element mean
    return w * F.kl_div(F.log_softmax(s, 1), F.softmax(t, 1),
                        reduction='sum') / s.numel()


@pytest.mark.parametrize('at,regenerate',
                         [(True, True), (False, True), (True, False)])
def test_zskt_step_equals_the_official_loop(bn_ckpt, at, regenerate):
    torch.manual_seed(0)
    # a KL weight that makes the gradient norms exceed 5, so the clipping
    # placement is tested too (asserted below)
    kw = dict(loss_kd=dict(type='KDLoss', loss_weight=3000.0),
              regenerate=regenerate)
    if not at:
        kw.update(loss_at=None, student=copy.deepcopy(LENET.lenet5_half))
    model = MODELS.build(zskt_cfg(bn_ckpt, **kw))
    model.train()
    assert model.at_stages == ((0, 1) if at else ())
    ref = copy.deepcopy(model)
    ref.teacher.requires_grad_(True)  # solver.py never freezes the teacher
    optim = build_optim_wrapper(model, OPTIM)
    z = torch.randn(8, 16)
    log = model.train_step(dict(inputs=z), optim)
    assert ('stu.loss_at' in log) == at

    # solver.py ZeroShotKTSolver.run(): one pseudo-batch = n_repeat_batch
    # calls of LearnableLoader.__next__ (generator(z), the same z)
    opt_g = torch.optim.SGD(ref.generator.parameters(), 0.01, momentum=0.9)
    opt_s = torch.optim.SGD(ref.student.parameters(), 0.05, momentum=0.9)
    norms = []
    x = ref.generator(z)                      # n_generator_iter = 1
    loss_g = -_divergence(ref.student(x), ref.teacher(x), 3000.0)
    opt_g.zero_grad()
    loss_g.backward()
    norms.append(torch.nn.utils.clip_grad_norm_(ref.generator.parameters(),
                                                5))
    opt_g.step()
    index = {j: i for i, j in enumerate(ref.teacher.backbone.out_indices)}
    for step in range(2):                     # n_student_iter = 2
        x = ref.generator(z)                  # autograd on, as there
        if step == 0:
            with torch.no_grad():
                t_out = ref.teacher.extract_feat(x, stage='backbone')
                t_logits = ref.teacher.head(t_out[-1:])
        s_out = ref.student.extract_feat(x, stage='backbone')
        s_logits = ref.student.head(s_out[-1:])
        loss_s = _divergence(s_logits, t_logits, 3000.0)
        if at:  # solver.py KT_loss_student, beta * attention_diff per block
            for j in (0, 1):
                loss_s = loss_s + 25.0 * (_at(s_out[j]) - _at(
                    t_out[index[j]])).pow(2).mean()
        opt_s.zero_grad()
        loss_s.backward()
        norms.append(torch.nn.utils.clip_grad_norm_(
            ref.student.parameters(), 5))
        opt_s.step()
    assert max(norms) > 5  # the clipping changed at least one update

    for name in ('generator', 'student'):
        for (k, a), b in zip(getattr(model, name).state_dict().items(),
                             getattr(ref, name).state_dict().values()):
            if name == 'generator' and not regenerate and (
                    'running' in k or 'num_batches' in k):
                continue  # 2 instead of 1 + n_S batches: never read
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5,
                                       msg=f'{name}.{k}')
    assert all(p.grad is None for p in model.teacher.parameters())


def test_generator_is_the_official_one():
    gen = MODELS.build(dict(type='ZSKTGenerator'))  # latent 100, 3 x 32 x 32
    names = [type(m).__name__ for m in gen.children()]
    assert names == ['Linear', 'BatchNorm2d', 'Conv2d', 'BatchNorm2d',
                     'Conv2d', 'BatchNorm2d', 'Conv2d', 'BatchNorm2d']
    assert gen.out_bn.affine and gen.bn1.eps == 1e-5
    # models/generator.py Generator(z_dim=100): 128 * 8 * 8 after the Linear
    assert gen.fc.out_features == 128 * 8**2
    # Linear 827,392 + BN 256 + conv 147,584 + BN 256 + conv 73,792 + BN 128
    # + conv 1,731 + affine BN 6, as the official Generator(100)
    assert sum(p.numel() for p in gen.parameters()) == 1_051_145
    out = gen(torch.randn(4, 100))
    assert out.shape == (4, 3, 32, 32)
    assert (out < -1).any() and (out > 1).any()  # no Tanh


def test_at_stages_from_the_networks(bn_ckpt, tmp_path):
    model = MODELS.build(zskt_cfg(bn_ckpt))
    assert model.at_stages == (0, 1)  # LeNet block 2 is flattened
    model.train()
    feats, logits = model.student(torch.randn(2, 1, 32, 32), mode='stages')
    assert [f.shape[2:] for f in feats] == [(14, 14), (5, 5)]
    # WRN-40-2 -> WRN-16-1: the three block groups, including the one the
    # head reads (mmdfkd's group 2 is taken after the final BN-ReLU)
    teacher = copy.deepcopy(WRN.wrn40_2)
    model = MODELS.build(zskt_cfg(
        random_teacher_ckpt(tmp_path / 'wrn.pth', teacher), teacher=teacher,
        student=dict(copy.deepcopy(WRN.wrn16_1),
                     type='mmdfkd.FeatureMapClassifier'),
        generator=dict(type='ZSKTGenerator', latent_dim=16,
                       base_channels=16)))
    assert model.at_stages == (0, 1, 2)
    model.train()
    feats, logits = model.student(torch.randn(2, 3, 32, 32), mode='stages')
    assert [f.shape[1:] for f in feats] == [(16, 32, 32), (32, 16, 16),
                                            (64, 8, 8)]
    assert logits.shape == (2, 10)
    assert model.teacher.backbone.out_indices == (0, 1, 2)


def test_errors(bn_ckpt):
    with pytest.raises(DFKDInputError, match='FeatureMapClassifier'):
        MODELS.build(zskt_cfg(bn_ckpt,
                              student=copy.deepcopy(LENET.lenet5_half)))
    with pytest.raises(DFKDInputError,
                       match=r'at_stages=\(1, 2\).*have \(0, 1\)\. Fix'):
        MODELS.build(zskt_cfg(bn_ckpt, at_stages=(1, 2)))
    with pytest.raises(DFKDInputError, match='student_steps=0'):
        MODELS.build(zskt_cfg(bn_ckpt, student_steps=0))
    model = MODELS.build(zskt_cfg(bn_ckpt))
    model.train()
    with pytest.raises(DFKDInputError, match='codes_per_sample = 1'):
        model.train_step(dict(inputs=torch.randn(4, 3, 16)),
                         build_optim_wrapper(model, OPTIM))


def test_explicit_at_stages_subset(bn_ckpt):
    model = MODELS.build(zskt_cfg(bn_ckpt, at_stages=(1, )))
    model.train()
    log = model.train_step(dict(inputs=torch.randn(4, 16)),
                           build_optim_wrapper(model, OPTIM))
    assert model.at_stages == (1, ) and 'stu.loss_at' in log
    assert torch.isfinite(log['stu.loss_at'])


@pytest.mark.slow
def test_short_digits_run_distils(digits_bn_teacher, tmp_path):
    """The digits config, shortened (40 pseudo-batches of 64): well above
    chance (10 %; 60 pseudo-batches reached 49 %)."""
    from mmdfkd.engine import build_runner

    # one intra-op thread: tiny ops on two threads of a loaded 2-core
    # machine mostly wait for each other (6.7 s per iteration seen)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    cfg = Config.fromfile(osp.join(ROOT, DIGITS))
    cfg.model.teacher.checkpoint = digits_bn_teacher
    cfg.work_dir = str(tmp_path)
    cfg.launcher = 'none'
    cfg.train_dataloader.batch_size = 64
    cfg.train_cfg.update(max_iters=40, val_interval=40)
    for scheds in cfg.param_scheduler.values():
        for s in scheds:
            s.update(end=40, T_max=40)
    try:
        runner = build_runner(cfg)
        runner.train()
        top1 = runner.val_loop.run()['accuracy/top1']
    finally:
        torch.set_num_threads(threads)
    assert top1 > 30, top1
