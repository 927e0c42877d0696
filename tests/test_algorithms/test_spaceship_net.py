"""SpaceshipNet: CFE on hand-made features, the generator's levels, one
iteration (synthesis round + KD step) against a hand-written loop of the
official order, the stage pairing, and a short digits run."""
import copy
import os.path as osp

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmdfkd.registry import MODELS
from mmdfkd.synthesizers.spaceship import exchange_channels
from mmdfkd.utils import DFKDInputError

from helpers import LENET, random_teacher_ckpt

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DIGITS = 'configs/spaceshipnet/spaceshipnet_lenet5-bn_lenet5-half_digits.py'
RESNET = Config.fromfile(osp.join(ROOT, 'configs/_base_/models/'
                                  'resnet_cifar.py')).resnet18_cifar_narrow
GEN = dict(type='InversionGenerator', latent_dim=16, img_size=32,
           out_channels=1, base_channels=4)


# ------------------------------------------------------------------- CFE
def test_exchange_channels_swaps_a_random_half_with_the_partner():
    f = torch.tensor([[1., 2., 3., 4.], [10., 20., 30., 40.],
                      [100., 200., 300., 400.]]).view(3, 4, 1, 1)
    out = exchange_channels(f, torch.Generator().manual_seed(0))
    own = out == f
    partner = out == f.flip(0)
    # image 0 pairs with 2, 2 with 0, 1 with itself (unchanged)
    assert (own | partner).all()
    assert own[0].sum() == own[2].sum() == 2
    assert torch.equal(out[1], f[1])
    # one channel: nothing is kept, every image takes its partner's
    g = torch.arange(4.).view(4, 1, 1, 1)
    assert torch.equal(exchange_channels(g), g.flip(0))


def test_generator_levels_render_the_generator_images():
    torch.manual_seed(0)
    gen = MODELS.build(GEN).eval()
    z = torch.randn(3, 16)
    images, feats = gen.levels(z)
    torch.testing.assert_close(images, gen(z))
    assert [tuple(f.shape[1:]) for f in feats] == [(8, 8, 8), (8, 16, 16),
                                                   (4, 32, 32)]
    for level, f in enumerate(feats):
        torch.testing.assert_close(gen.render(f, level), images)


# ------------------------------------------------------------- the method
def _cfg(ckpt, teacher=None, student=None, **kwargs):
    cfg = dict(
        type='SpaceshipNet',
        teacher=dict(model=copy.deepcopy(teacher or LENET.lenet5_bn),
                     checkpoint=ckpt),
        student=dict(copy.deepcopy(student or LENET.lenet5_half),
                     type='mmdfkd.FeatureMapClassifier'),
        synthesizer=dict(
            type='SpaceshipSynthesizer', num_classes=10, batch_size=6,
            image_size=(1, 32, 32), iterations=2, lr_g=1e-2, generator=GEN,
            seed=3,
            loss_bn=dict(type='BNStatisticsLoss', first_bn_multiplier=1.0),
            loss_oh=dict(type='mmpretrain.CrossEntropyLoss',
                         loss_weight=0.5)),
        image_pool=dict(type='ImagePool', capacity=12, seed=4,
                        keys=('images', 'feat0', 'feat1', 'feat2')),
        loss_kd=dict(type='KDLoss', tau=30.0, loss_weight=0.1),
        loss_gradcam=dict(type='GradCAMLoss', loss_weight=1.0),
        exchange_prob=0.7, batch_size=6, kd_steps=3,
        data_preprocessor=dict(type='DFKDDataPreprocessor', mean=[77.9],
                               std=[82.5]))
    cfg.update(kwargs)
    return cfg


def _bn_hooks(teacher):
    """The official DeepInversionFeatureHook: r_feature of the last pass."""
    hooks = []

    def hook(module, inputs, output):
        x = inputs[0]
        nch = x.shape[1]
        mean = x.mean([0, 2, 3])
        var = x.permute(1, 0, 2, 3).contiguous().view(nch, -1).var(
            1, unbiased=False)
        module.r_feature = torch.norm(module.running_var - var, 2) + \
            torch.norm(module.running_mean - mean, 2)

    bns = [m for m in teacher.modules() if isinstance(m, nn.BatchNorm2d)]
    hooks = [m.register_forward_hook(hook) for m in bns]
    return bns, hooks


def _official_iteration(m, lr=0.05):
    """train_G then one step of train_S of model_CFE_mSARC_base_V37.py,
    written out: Adam re-made per round, fixed z, balanced labels, 0.5 CE +
    BN on a crop + flip view, the best (pre-step) batch and its features;
    then a level, the per-pair channel mix with p 0.7, G's later layers in
    eval mode, crop + flip, nn.KLDivLoss() * T^2 (element mean), CAM MSE
    with the fc weight copied into a 1x1 conv, Grad-CAM from gradient hooks
    on the stage outputs filled by autograd.grad w.r.t. the parameters."""
    syn, G, T, S = m.synthesizer, m.synthesizer.generator, m.teacher, \
        m.student
    T.requires_grad_(True)       # the official teacher is never frozen
    norm = syn.normalize
    # -- train_G
    labels = torch.arange(syn.batch_size) % 10
    z = torch.randn(syn.batch_size, 16, generator=syn.rng)
    opt_g = torch.optim.Adam(G.parameters(), syn.lr_g, betas=[0.5, 0.999])
    bns, hooks = _bn_hooks(T)
    G.train()
    best_cost, best = 1e6, None
    for _ in range(syn.iterations):
        x, conv_outs = G.levels(z)
        v = x
        for t in syn.view:
            v = t(v, syn.rng)
        out = T(norm(v))
        loss_g = 0.5 * F.cross_entropy(out, labels) + sum(
            b.r_feature for b in bns)
        if best is None or best_cost > loss_g.item():
            best_cost = loss_g.item()
            best = [x.detach().clone()] + [c.detach().clone()
                                           for c in conv_outs]
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    for h in hooks:
        h.remove()
    m.image_pool.add(dict(images=norm(best[0]), feat0=best[1],
                          feat2=best[3], feat1=best[2]))
    G.eval()
    # -- train_S, one step
    opt_s = torch.optim.SGD(S.parameters(), lr, momentum=0.9)
    data = m.image_pool.sample(m.batch_size)          # the DataLoader
    conv_idx = syn.levels[int(torch.randint(3, (), generator=syn.rng))]
    features = data[f'feat{conv_idx}']
    with torch.no_grad():
        if float(torch.rand((), generator=syn.rng)) < m.exchange_prob:
            n, c = features.shape[:2]
            picks = torch.rand(n, c, generator=syn.rng).argsort(1) < c // 2
            mixed = features.clone()
            for i in range(n):
                j = n - 1 - i
                m1 = picks[i].float().view(c, 1, 1)
                mixed[i] = features[i] * m1 + features[j] * (1 - m1)
            features = mixed
        images = G.render(features, conv_idx)
        for t in syn.view:
            images = t(images, syn.rng)
    x = norm(images)
    grads = {'T': [], 'S': []}

    def staged(net, key, inputs):
        outs = net.extract_feat(inputs, stage='backbone')
        index = {s: i for i, s in enumerate(net.backbone.out_indices)}
        feats = [outs[index[s]] for s in m.stages]
        for f in feats:
            f.register_hook(lambda g, k=key: grads[k].append(g))
        last = outs[-1:]
        out = net.head(net.neck(last) if net.with_neck else last)
        return feats, out

    t_feats, t_out = staged(T, 'T', x)
    s_feats, s_out = staged(S, 'S', x)
    # alpha T^2 nn.KLDivLoss() (element mean) = KDLoss(tau, weight 1 / K)
    tau, alpha = m.loss_kd.tau, m.loss_kd.loss_weight * 10
    loss = alpha * nn.KLDivLoss()(F.log_softmax(s_out / tau, 1),
                                  F.softmax(t_out / tau, 1)) * tau * tau
    if m.loss_cam is not None:
        conv_T = nn.Conv2d(T.head.fc.in_features, 10, 1, bias=False)
        conv_S = nn.Conv2d(S.head.fc.in_features, 10, 1, bias=False)
        conv_T.weight.data = T.head.fc.weight.unsqueeze(2).unsqueeze(3)
        conv_S.weight.data = S.head.fc.weight.unsqueeze(2).unsqueeze(3)
        loss = loss + m.loss_cam.loss_weight * F.mse_loss(
            conv_S(s_feats[-1]), conv_T(t_feats[-1]))
    one_hot = F.one_hot(t_out.max(1)[1], 10).float()
    cams = {}
    for key, out, feats, net in (('T', t_out, t_feats, T),
                                 ('S', s_out, s_feats, S)):
        torch.autograd.grad(out, [p for p in net.parameters()
                                  if p.requires_grad],
                            grad_outputs=one_hot, retain_graph=True)
        n = len(m.cam_stages)
        cams[key] = [(g.mean([2, 3]).unsqueeze(2).unsqueeze(3) * f).sum(1)
                     for g, f in zip(grads[key][::-1][:n], feats[:n])]
        grads[key].clear()
    for s, t in zip(cams['S'], cams['T']):
        loss = loss + m.loss_gradcam.loss_weight * F.mse_loss(s, t)
    opt_s.zero_grad()
    loss.backward()
    opt_s.step()


@pytest.mark.parametrize('net', ['lenet', 'resnet'])
def test_iteration_equals_the_official_loop(net, tmp_path):
    """Iteration 0: a synthesis round, then one KD step; the student and
    the generator end where the official order takes them. The weights
    make every term move the student (at a random start the official
    weights leave the activation terms below the tolerance)."""
    kwargs = dict(loss_kd=dict(type='KDLoss', tau=4.0, loss_weight=10.),
                  loss_gradcam=dict(type='GradCAMLoss', loss_weight=3e4))
    if net == 'resnet':
        kwargs.update(teacher=RESNET, student=RESNET,
                      loss_kd=dict(type='KDLoss', tau=4.0, loss_weight=0.1),
                      loss_gradcam=dict(type='GradCAMLoss', loss_weight=300.),
                      loss_cam=dict(type='CAMLoss', loss_weight=3.0))
    model_cfg = _cfg(None, **kwargs)
    ckpt = random_teacher_ckpt(tmp_path / 't.pth', model_cfg['teacher'][
        'model'])
    model_cfg['teacher']['checkpoint'] = ckpt
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    model.train()
    for mod in model.teacher.modules():   # statistics a batch won't match
        if isinstance(mod, nn.BatchNorm2d):
            mod.running_mean.normal_(0, 0.5)
    ref = copy.deepcopy(model)
    assert model.cam_stages == ((0, 1) if net == 'lenet' else (0, 1, 2, 3))
    optim = build_optim_wrapper(model, dict(
        constructor='PerModuleOptimWrapperConstructor',
        student=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9))))
    log = model.train_step(dict(inputs=torch.zeros(1, 1)), optim)
    assert {'syn.loss', 'stu.loss_kd', 'stu.loss_gradcam'} <= set(log)
    assert ('stu.loss_cam' in log) == (net == 'resnet')
    _official_iteration(ref)
    for name in ('student', 'synthesizer'):
        for (key, a), b in zip(
                getattr(model, name).state_dict().items(),
                getattr(ref, name).state_dict().values()):
            if isinstance(a, torch.Tensor):
                torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5,
                                           msg=f'{name}.{key}')


def test_stage_pairing_is_derived_or_refused(tmp_path):
    ckpt = random_teacher_ckpt(tmp_path / 't.pth', LENET.lenet5_bn)
    # LeNet-5 block 2 is a vector: no Grad-CAM map there
    with pytest.raises(DFKDInputError, match=r'cam_stages=\(2,\).*Fix: '
                       r'model.cam_stages=\(0, 1\)'):
        MODELS.build(_cfg(ckpt, cam_stages=(2, )))
    # ... and its MLP head has no class activation maps
    with pytest.raises(DFKDInputError, match='loss_cam.*Fix: model.loss_cam'
                       '=None'):
        MODELS.build(_cfg(ckpt, loss_cam=dict(type='CAMLoss')))
    with pytest.raises(DFKDInputError, match='exchange_prob=1.5.*Fix'):
        MODELS.build(_cfg(ckpt, exchange_prob=1.5))
    # the pool must keep the generator features of every level
    with pytest.raises(DFKDInputError, match='Fix: image_pool.keys'):
        MODELS.build(_cfg(ckpt, image_pool=dict(type='ImagePool',
                                                keys=('images', 'feat0'))))
    plain = dict(copy.deepcopy(LENET.lenet5_half))
    with pytest.raises(DFKDInputError, match='FeatureMapClassifier'):
        cfg = _cfg(ckpt)
        cfg['student'] = plain
        MODELS.build(cfg)
    # without activation-region terms any classifier is fine
    cfg = _cfg(ckpt, loss_gradcam=None)
    cfg['student'] = plain
    assert MODELS.build(cfg).student_losses == ('loss_kd', )


@pytest.mark.slow
def test_short_digits_run_distils(digits_bn_teacher, tmp_path):
    """The digits config, 6 rounds of 40 KD steps: well above chance."""
    from mmdfkd.engine import build_runner
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    cfg = Config.fromfile(osp.join(ROOT, DIGITS))
    cfg.model.teacher.checkpoint = digits_bn_teacher
    cfg.model.kd_steps = 40
    cfg.work_dir = str(tmp_path)
    cfg.launcher = 'none'
    cfg.train_cfg.update(max_iters=240, val_interval=240)
    for scheds in cfg.param_scheduler.values():
        for s in scheds:
            s.update(end=240, T_max=240)
    try:
        runner = build_runner(cfg)
        runner.train()
        top1 = runner.val_loop.run()['accuracy/top1']
    finally:
        torch.set_num_threads(threads)
    assert top1 > 50, top1
