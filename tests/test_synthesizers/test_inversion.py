"""The inversion family: its losses (known values), one synthesis round of
DeepInversion and of Fast against hand-written loops in the official order,
PoolKD's schedule, and a Fast run resuming bit-exactly through the Runner."""
import copy
import math
import os
import sys

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config

from mmdfkd.engine import build_runner
from mmdfkd.losses import (JSCompetitionLoss, MaskedKLAdversarialLoss,
                           TVLoss)
from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..',
                                'test_algorithms'))
from helpers import LENET  # noqa: E402


# ------------------------------------------------------------------ losses
def test_tv_loss_known_values():
    x = torch.tensor([[0., 1.], [2., 3.]]).reshape(1, 1, 2, 2)
    # right: -1, -1; down: -2, -2; lower-left: 2 - 1; lower-right: 0 - 3
    assert TVLoss(p=2)(x).item() == pytest.approx(4 + 3 * math.sqrt(2))
    assert TVLoss(p=1, loss_weight=2.)(x).item() == pytest.approx(14.)
    with pytest.raises(ValueError):
        TVLoss(p=3)


def test_masked_kl_adversarial_known_value():
    t = torch.tensor([[2., 0.], [2., 0.]])
    s = torch.tensor([[1., 0.], [0., 1.]])   # agrees, disagrees
    pt = [math.exp(2) / (1 + math.exp(2)), 1 / (1 + math.exp(2))]
    ps = [math.exp(1) / (1 + math.exp(1)), 1 / (1 + math.exp(1))]
    kl = sum(p * math.log(p / q) for p, q in zip(pt, ps))
    loss = MaskedKLAdversarialLoss(loss_weight=2.)(s, t)
    assert loss.item() == pytest.approx(-2. * kl / 2, rel=1e-5)
    assert MaskedKLAdversarialLoss()(t, t).item() == pytest.approx(0.)


def test_js_competition_known_values():
    t = torch.tensor([[3., 0.]])
    assert JSCompetitionLoss()(t, t).item() == pytest.approx(1.)
    s = torch.tensor([[0., 3.]])
    p = [math.exp(1) / (1 + math.exp(1)), 1 / (1 + math.exp(1))]
    q = p[::-1]
    m = [0.5, 0.5]
    js = 0.5 * sum(mi * math.log(mi / pi) for mi, pi in zip(m, p)) + \
        0.5 * sum(mi * math.log(mi / qi) for mi, qi in zip(m, q))
    assert JSCompetitionLoss(tau=3.)(s, t).item() == pytest.approx(
        1 - js, rel=1e-5)


# ------------------------------------------------- a BN teacher and student
def _teacher():
    torch.manual_seed(0)
    teacher = MODELS.build(copy.deepcopy(LENET.lenet5_bn))
    for m in teacher.modules():   # statistics a random batch does not match
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.normal_(0, 0.5)
            m.running_var.uniform_(0.5, 2.)
    return teacher.eval().requires_grad_(False)


def _student():
    torch.manual_seed(1)
    return MODELS.build(copy.deepcopy(LENET.lenet5_half))


def _bn_loss(teacher, x):
    """The official DeepInversionHook's r_feature, summed (no momentum)."""
    losses = []

    def hook(module, inputs, output):
        z = inputs[0]
        nch = z.shape[1]
        mean = z.mean([0, 2, 3])
        var = z.permute(1, 0, 2, 3).contiguous().view(nch, -1).var(
            1, unbiased=False)
        losses.append(torch.norm(module.running_var - var, 2) +
                      torch.norm(module.running_mean - mean, 2))

    handles = [m.register_forward_hook(hook) for m in teacher.modules()
               if isinstance(m, nn.BatchNorm2d)]
    out = teacher(x)
    for h in handles:
        h.remove()
    return out, sum(losses)


def _synthesizer(type_, **kwargs):
    cfg = dict(
        type=type_, num_classes=10, batch_size=8, image_size=(1, 32, 32),
        iterations=3, seed=5,
        loss_bn=dict(type='BNStatisticsLoss', loss_weight=0.7,
                     first_bn_multiplier=1.0),
        loss_oh=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=0.5))
    cfg.update(kwargs)
    syn = MODELS.build(cfg)
    syn.set_normalization([77.9], [82.5])
    return syn


# ------------------------------------------------------------ DeepInversion
def test_deepinversion_round_equals_the_official_loop():
    """zju-vipa's DeepInvSyntheiszer.synthesize, written out: jitter + flip,
    BN + CE + TV + competition, best batch before the step, Adam, clip."""
    teacher, student = _teacher(), _student()
    syn = _synthesizer(
        'DeepInversionSynthesizer', lr=0.1, jitter=2,
        loss_tv=dict(type='TVLoss', p=2, loss_weight=1e-3),
        loss_adv=dict(type='JSCompetitionLoss', loss_weight=0.3))
    out = syn.synthesize(teacher, student)
    # the student gets no gradient and is back in train mode
    assert all(p.grad is None for p in student.parameters())
    assert student.training

    rng = torch.Generator().manual_seed(5)
    targets = torch.randint(10, (8, ), generator=rng).sort()[0]
    x = torch.randn(8, 1, 32, 32, generator=rng).requires_grad_()
    opt = torch.optim.Adam([x], 0.1, betas=(0.5, 0.99))
    low, high = -77.9 / 82.5, (255 - 77.9) / 82.5
    best_cost, best = float('inf'), None
    student.eval()
    for _ in range(3):
        dy, dx = (torch.randint(5, (2, ), generator=rng) - 2).tolist()
        v = torch.roll(x, shifts=(dy, dx), dims=(2, 3))
        if torch.randint(2, (1, ), generator=rng).item():
            v = v.flip(3)
        t_out, loss_bn = _bn_loss(teacher, v)
        s_out = student(v)
        P = F.softmax(t_out / 3, 1)
        Q = F.softmax(s_out / 3, 1)
        M = (0.5 * (P + Q)).clamp(0.01, 0.99)
        js = 0.5 * F.kl_div(P.clamp(0.01, 0.99).log(), M,
                            reduction='batchmean') + \
            0.5 * F.kl_div(Q.clamp(0.01, 0.99).log(), M,
                           reduction='batchmean')
        diffs = (v[..., :-1] - v[..., 1:], v[..., :-1, :] - v[..., 1:, :],
                 v[..., 1:, :-1] - v[..., :-1, 1:],
                 v[..., :-1, :-1] - v[..., 1:, 1:])
        loss = 0.7 * loss_bn + 0.5 * F.cross_entropy(t_out, targets) + \
            1e-3 * sum(torch.norm(d) for d in diffs) + \
            0.3 * (1 - js.clamp(0, 1))
        if loss.item() < best_cost:
            best_cost, best = loss.item(), x.detach().clone()
        opt.zero_grad()
        loss.backward()
        opt.step()
        x.data = x.data.clamp(low, high)
    torch.testing.assert_close(out['labels'], targets)
    # Adam turns float noise in near-zero gradients into steps of ~lr on
    # the odd pixel (the BN statistics are summed in another order)
    torch.testing.assert_close(out['images'], best, rtol=1e-3, atol=1e-3)
    best_loss = out['log']['best_loss'].item()
    assert best_loss == pytest.approx(best_cost, rel=1e-5)


def test_deepinversion_needs_a_bn_teacher():
    teacher = MODELS.build(copy.deepcopy(LENET.lenet5)).eval()
    syn = _synthesizer('DeepInversionSynthesizer')
    with pytest.raises(DFKDInputError, match='no BatchNorm2d'):
        syn.prepare(teacher)


# --------------------------------------------------------------------- Fast
GEN = dict(type='InversionGenerator', latent_dim=16, img_size=32,
           out_channels=1, base_channels=4)


@pytest.mark.parametrize('meta_update', ['fomaml', 'reptile'])
def test_fast_round_equals_the_official_loop(meta_update):
    """Fast-Datafree's FastMetaSynthesizer.synthesize, written out: clone,
    Adam over the clone and z, the meta-gradients summed over the inner
    steps (or REPTILE's 67 (theta - theta_fast)), one meta step; the BN
    loss's moving average folded once per round."""
    teacher, student = _teacher(), _student()
    torch.manual_seed(2)
    syn = _synthesizer(
        'FastSynthesizer', generator=GEN, lr_g=1e-2, lr_z=0.05,
        meta_update=meta_update, view=[dict(type='BatchRandomFlip')],
        loss_bn=dict(type='BNStatisticsLoss', loss_weight=0.7,
                     first_bn_multiplier=1.0, momentum=0.9),
        loss_adv=dict(type='MaskedKLAdversarialLoss', loss_weight=1.1))
    meta = copy.deepcopy(syn.generator)
    meta_opt = torch.optim.Adam(meta.parameters(), 1e-2 * 3,
                                betas=(0.5, 0.999))
    for _ in range(2):  # the second round uses the moving average
        out = syn.synthesize(teacher, student)
    assert all(p.grad is None for p in student.parameters())
    mean, std = torch.tensor(77.9), torch.tensor(82.5)

    rng = torch.Generator().manual_seed(5)
    ema = None
    for _ in range(2):
        z = torch.randn(8, 16, generator=rng).requires_grad_()
        targets = torch.randint(10, (8, ), generator=rng).sort()[0]
        fast = copy.deepcopy(meta)
        opt = torch.optim.Adam([dict(params=fast.parameters()),
                                dict(params=[z], lr=0.05)], lr=1e-2,
                               betas=(0.5, 0.999))
        meta_opt.zero_grad()
        best_cost, best = float('inf'), None
        for _ in range(3):
            images = (fast(z) * 255 - mean) / std
            flip = torch.rand(8, generator=rng) < 0.5
            view = torch.where(flip[:, None, None, None], images.flip(3),
                               images)
            stats = []
            hooks = [m.register_forward_hook(
                lambda m, i, o: stats.append((m, i[0])))
                for m in teacher.modules() if isinstance(m, nn.BatchNorm2d)]
            t_out = teacher(view)
            for h in hooks:
                h.remove()
            loss_bn, cur = 0., []
            for k, (m, z_in) in enumerate(stats):
                mu = z_in.mean([0, 2, 3])
                var = z_in.var([0, 2, 3], unbiased=False)
                cur.append((mu, var))
                if ema is not None:
                    mu = 0.1 * mu + 0.9 * ema[k][0]
                    var = 0.1 * var + 0.9 * ema[k][1]
                loss_bn = loss_bn + torch.norm(m.running_var - var) + \
                    torch.norm(m.running_mean - mu)
            s_out = student.eval()(view)
            mask = (s_out.argmax(1) == t_out.argmax(1)).float()
            kl = (F.softmax(t_out, 1) * (F.log_softmax(t_out, 1) -
                                         F.log_softmax(s_out, 1))).sum(1)
            loss = 0.7 * loss_bn + 0.5 * F.cross_entropy(t_out, targets) - \
                1.1 * (kl * mask).mean()
            if loss.item() < best_cost:
                best_cost, best = loss.item(), images.detach().clone()
            opt.zero_grad()
            loss.backward()
            if meta_update == 'fomaml':
                for p, q in zip(meta.parameters(), fast.parameters()):
                    p.grad = q.grad.clone() if p.grad is None \
                        else p.grad + q.grad
            opt.step()
        if meta_update == 'reptile':
            for p, q in zip(meta.parameters(), fast.parameters()):
                p.grad = 67 * (p.detach() - q.detach())
        meta_opt.step()
        cur = [(mu.detach(), var.detach()) for mu, var in cur]
        ema = cur if ema is None else [
            (0.9 * e[0] + 0.1 * c[0], 0.9 * e[1] + 0.1 * c[1])
            for e, c in zip(ema, cur)]
    # images are O(1) in the normalised space after six Adam steps, which
    # amplify float rounding (an AVX2-only CPU's kernels: 1.4e-5 on the
    # images, 2.7e-6 on 9 of fc.weight's 8192 entries of size up to 0.3)
    torch.testing.assert_close(out['images'], best, rtol=1e-4, atol=1e-4)
    for (key, a), b in zip(syn.generator.state_dict().items(),
                           meta.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5, msg=key)


def test_fast_generator_must_match_the_image_size():
    with pytest.raises(DFKDInputError, match='makes'):
        _synthesizer('FastSynthesizer', generator=dict(GEN, img_size=28))


# ------------------------------------------------------------------ PoolKD
def _pool_cfg(ckpt, work_dir='.', max_iters=7, **kwargs):
    model = dict(
        type='PoolKD',
        teacher=dict(model=copy.deepcopy(LENET.lenet5_bn), checkpoint=ckpt),
        student=copy.deepcopy(LENET.lenet5_half),
        synthesizer=dict(
            type='FastSynthesizer', num_classes=10, batch_size=8,
            image_size=(1, 32, 32), iterations=2, generator=GEN,
            loss_bn=dict(type='BNStatisticsLoss', momentum=0.9),
            loss_oh=dict(type='mmpretrain.CrossEntropyLoss'),
            loss_adv=dict(type='MaskedKLAdversarialLoss')),
        image_pool=dict(type='ImagePool', capacity=40, keys=('images', ),
                        augment=[dict(type='BatchRandomCrop', padding=4),
                                 dict(type='BatchRandomFlip')]),
        loss_kd=dict(type='KDLoss', tau=20.), batch_size=6, kd_steps=3,
        warmup_rounds=2,
        data_preprocessor=dict(type='DFKDDataPreprocessor', mean=[77.9],
                               std=[82.5]))
    model.update(kwargs)
    return dict(
        model=model, work_dir=work_dir, default_scope='mmdfkd',
        runner_type='DFKDRunner', launcher='none',
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        train_dataloader=dict(
            batch_size=1, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='default_collate'),
            dataset=dict(type='LatentDataset', latent_dim=1)),
        optim_wrapper=dict(
            constructor='PerModuleOptimWrapperConstructor',
            student=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9))),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=max_iters),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=4,
                            by_epoch=False),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[dict(type='RankShardsHook')],
        randomness=dict(seed=0), log_processor=dict(by_epoch=False),
        log_level='WARNING')


def _ckpt(tmp_path):
    path = tmp_path / 't.pth'
    torch.save(_teacher().state_dict(), path)
    return str(path)


def test_pool_kd_schedule(tmp_path):
    """Warm-up iterations are rounds only; then a round every kd_steps
    iterations and one KD step per iteration; the synthesizer takes the
    preprocessor's normalisation."""
    from mmengine.optim import build_optim_wrapper
    model = MODELS.build(_pool_cfg(_ckpt(tmp_path))['model'])
    model.train()
    optim = build_optim_wrapper(model, dict(
        constructor='PerModuleOptimWrapperConstructor',
        student=dict(optimizer=dict(type='SGD', lr=0.05))))
    assert model.synthesizer.mean.item() == pytest.approx(77.9)
    rounds, kd = [], []
    for _ in range(9):
        before = copy.deepcopy(model.student.state_dict())
        log = model.train_step(dict(inputs=torch.zeros(1, 1)), optim)
        rounds.append('syn.loss' in log)
        kd.append(any(not torch.equal(before[k], v)
                      for k, v in model.student.state_dict().items()))
    # iterations 0, 1: warm-up; then rounds at 2, 5, 8
    assert rounds == [True, True, True, False, False, True, False, False,
                      True]
    assert kd == [False, False] + [True] * 7
    assert len(model.image_pool) == 5 * 8
    assert int(model.synthesizer.rounds) == 5


SYNTHESIZERS = dict(
    fast=None,
    cmi=dict(type='CMISynthesizer', num_classes=10, batch_size=8,
             image_size=(1, 32, 32), iterations=2, generator=GEN,
             head_dim=8, bank_size=16, num_negatives=6,
             loss_bn=dict(type='BNStatisticsLoss'),
             loss_oh=dict(type='mmpretrain.CrossEntropyLoss'),
             loss_adv=dict(type='MaskedKLAdversarialLoss'),
             loss_cr=dict(type='CMIContrastiveLoss')),
    deepinversion=dict(type='DeepInversionSynthesizer', num_classes=10,
                       batch_size=8, image_size=(1, 32, 32), iterations=2,
                       loss_bn=dict(type='BNStatisticsLoss'),
                       loss_oh=dict(type='mmpretrain.CrossEntropyLoss')))


@pytest.mark.slow
@pytest.mark.parametrize('method', sorted(SYNTHESIZERS))
def test_pool_kd_resumes_bit_exactly(tmp_path, method):
    """Interrupted after iteration 4 (inside a KD stretch) and resumed ==
    uninterrupted: student, synthesizer parameters and optimizers (Fast's
    meta-generator, CMI's head), the BN moving average, CMI's memory bank,
    RNGs and the pool."""
    ckpt = _ckpt(tmp_path)
    kwargs = {} if SYNTHESIZERS[method] is None else dict(
        synthesizer=SYNTHESIZERS[method])
    full = build_runner(Config(_pool_cfg(ckpt, str(tmp_path / 'full'),
                                         **kwargs)))
    full.train()
    half = build_runner(Config(_pool_cfg(ckpt, str(tmp_path / 'half'), 4,
                                         **kwargs)))
    half.train()
    cfg = _pool_cfg(ckpt, str(tmp_path / 'half'), **kwargs)
    cfg.update(resume=True, load_from=str(tmp_path / 'half' / 'iter_4.pth'))
    resumed = build_runner(Config(cfg))
    resumed.train()
    a, b = full.model.state_dict(), resumed.model.state_dict()
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], torch.Tensor):
            assert torch.equal(a[key], b[key]), key
    if method == 'fast':
        ema_a = full.model.synthesizer.loss_bn.ema_means
        ema_b = resumed.model.synthesizer.loss_bn.ema_means
        assert ema_a and all(torch.equal(x, y) for x, y in zip(ema_a, ema_b))
    if method == 'cmi':
        assert full.model.synthesizer._bank_added == 32  # 4 rounds of 8
        assert torch.equal(full.model.synthesizer._bank,
                           resumed.model.synthesizer._bank)
    assert torch.equal(full.model.image_pool.sample(40)['images'],
                       resumed.model.image_pool.sample(40)['images'])


def test_pool_newest_is_read_only():
    from mmdfkd.synthesizers import ImagePool
    pool = ImagePool(capacity=5, keys=('images', ), seed=0)
    for start in range(0, 8, 4):
        pool.add(dict(images=torch.arange(start, start + 4.).reshape(
            4, 1, 1, 1)))
    state = pool.rng.get_state()
    newest = pool.newest(3)['images'].flatten().tolist()
    assert newest == [5., 6., 7.]
    assert pool.newest(10)['images'].flatten().tolist() == [3., 4., 5., 6.,
                                                            7.]
    assert torch.equal(pool.rng.get_state(), state)


# ---------------------------------------------------------------------- CMI
def test_random_resized_crop_full_box_is_identity_and_crops_shrink():
    from mmdfkd.synthesizers import BatchRandomResizedCrop
    x = torch.rand(3, 2, 8, 8)
    same = BatchRandomResizedCrop(scale=(1., 1.), ratio=(1., 1.))(x)
    torch.testing.assert_close(same, x)
    w, h, cx, cy = BatchRandomResizedCrop().boxes(
        500, torch.Generator().manual_seed(0))
    assert (w * h).min() >= 0.25 * 0.74 and (w <= 1).all() and (h <= 1).all()
    assert ((cx.abs() + w) <= 1 + 1e-6).all()   # boxes inside the image


def test_cmi_contrastive_loss_known_value():
    from mmdfkd.losses import CMIContrastiveLoss
    u = F.normalize(torch.tensor([[1., 0.], [0., 1.], [1., 1.]]), dim=1)
    loss = CMIContrastiveLoss(temperature=1., loss_weight=1.)
    logits = u @ u.T
    ce = [-(logits[i, i] - logits[i].exp().sum().log()).item()
          for i in range(3)]
    assert loss(u, u, 3).item() == pytest.approx(sum(ce) / 3, rel=1e-5)
    assert loss(u, u, 1).item() == pytest.approx(
        ce[0] + (ce[1] + ce[2]) / 2, rel=1e-5)


def test_cmi_round_equals_the_official_loop():
    """zju-vipa/CMI's CMISynthesizer.synthesize, written out: generator
    re-drawn, two views, BN + CE on the global view, instance means of the
    BN inputs of both views, bank negatives, head, one Adam step each; the
    second round uses the first round's best features as negatives."""
    teacher, student = _teacher(), _student()
    torch.manual_seed(2)
    syn = _synthesizer(
        'CMISynthesizer', generator=GEN, lr_g=1e-2, head_dim=8,
        bank_size=16, num_negatives=6,
        loss_cr=dict(type='CMIContrastiveLoss', temperature=0.2,
                     loss_weight=0.8))
    syn.prepare(teacher)
    gen, head = copy.deepcopy(syn.generator), copy.deepcopy(syn.head)
    head_opt = torch.optim.Adam(head.parameters(), 1e-2)
    glob, loc = copy.deepcopy(syn.global_view), copy.deepcopy(syn.local_view)
    for _ in range(2):
        out = syn.synthesize(teacher, student)
    mean, std = torch.tensor(77.9), torch.tensor(82.5)
    bns = [m for m in teacher.modules() if isinstance(m, nn.BatchNorm2d)]

    rng = torch.Generator().manual_seed(5)
    bank = []
    for _ in range(2):
        targets = torch.randint(10, (8, ), generator=rng).sort()[0]
        with torch.no_grad():   # reset_model, from the same generator
            for m in gen.modules():
                if isinstance(m, (nn.Conv2d, nn.Linear)):
                    m.weight.copy_(torch.randn(m.weight.shape,
                                               generator=rng) * 0.02)
                    if m.bias is not None:
                        m.bias.zero_()
                elif isinstance(m, nn.BatchNorm2d):
                    m.weight.copy_(1 + torch.randn(m.weight.shape,
                                                   generator=rng) * 0.02)
                    m.bias.zero_()
        z = torch.randn(8, 16, generator=rng).requires_grad_()
        opt = torch.optim.Adam([dict(params=gen.parameters()),
                                dict(params=[z])], 1e-2, betas=(0.5, 0.999))
        best_cost = float('inf')
        for _ in range(3):
            x = gen(z)
            g = x
            for t in glob:
                g = t(g, rng)
            g = (g * 255 - mean) / std
            means = []
            hooks = [m.register_forward_hook(
                lambda m, i, o: means.append(i[0].mean((2, 3))))
                for m in bns]
            t_out, loss_bn = _bn_loss(teacher, g)
            f_g = torch.cat(means, 1)
            means.clear()
            loc_x = x
            for t in loc:
                loc_x = t(loc_x, rng)
            teacher((loc_x * 255 - mean) / std)
            f_l = torch.cat(means, 1)
            for h in hooks:
                h.remove()
            fl, fg = f_l, f_g
            if bank:
                data = torch.cat(bank)
                idx = torch.randperm(len(data), generator=rng)[:6]
                cl, cg = data[idx].chunk(2, dim=1)
                fl, fg = torch.cat([f_l, cl]), torch.cat([f_g, cg])
            proj = head(torch.cat([fl, fg]))
            u, v = proj.chunk(2)
            logits = u @ v.detach().T / 0.2
            ce = F.cross_entropy(logits, torch.arange(len(u)),
                                 reduction='none')
            loss_cr = ce[:8].mean() + ce[8:].mean() if bank else ce.mean()
            loss = 0.7 * loss_bn + 0.5 * F.cross_entropy(t_out, targets) + \
                0.8 * loss_cr
            if loss.item() < best_cost:
                best_cost = loss.item()
                best = ((x * 255 - mean) / std).detach().clone()
                best_f = torch.cat([f_l, f_g], 1).detach().clone()
            opt.zero_grad()
            head_opt.zero_grad()
            loss.backward()
            opt.step()
            head_opt.step()
        bank.append(best_f)
    torch.testing.assert_close(out['images'], best, rtol=1e-4, atol=1e-5)
    for (key, a), b in zip(syn.head.state_dict().items(),
                           head.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5, msg=key)
    torch.testing.assert_close(syn._bank[:16], torch.cat(bank), rtol=1e-4,
                               atol=1e-5)
