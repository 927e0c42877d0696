import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.generators import (ConditionalBatchNorm2d,
                               ConditionalDAFLGenerator,
                               ConditionalDCGANGenerator, DAFLGenerator,
                               DCGANGenerator)
from mmdfkd.registry import MODELS

CONDITIONS = ('embedding', 'cbn', 'both', 'none')
NUM_CLASSES = 10


def _dafl(condition, **kwargs):
    cfg = dict(type='ConditionalDAFLGenerator', num_classes=NUM_CLASSES,
               condition=condition, latent_dim=16, base_channels=16)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def _dcgan(condition, **kwargs):
    cfg = dict(type='ConditionalDCGANGenerator', num_classes=NUM_CLASSES,
               condition=condition, latent_dim=16, base_channels=8)
    cfg.update(kwargs)
    gen = MODELS.build(cfg)
    gen.init_weights()
    return gen


def _cbns(gen):
    return [m for m in gen.modules() if isinstance(m, ConditionalBatchNorm2d)]


def _randomise_cbns(gen):
    with torch.no_grad():
        for m in _cbns(gen):
            m.scale.weight.normal_(1, 0.5)
            m.shift.weight.normal_(0, 0.5)


@pytest.mark.parametrize('condition', CONDITIONS)
@pytest.mark.parametrize('channels', [3, 1])
def test_conditional_dafl_shape(condition, channels):
    gen = _dafl(condition, out_channels=channels)
    x = gen(torch.randn(8, 16), torch.randint(0, NUM_CLASSES, (8, )))
    assert x.shape == (8, channels, 32, 32)
    # the affine-free output BN still standardises every channel
    assert x.mean(dim=(0, 2, 3)).abs().max() < 1e-4
    assert gen.conditional == (condition != 'none')
    assert gen.num_classes == NUM_CLASSES and gen.condition == condition


@pytest.mark.parametrize('condition', CONDITIONS)
@pytest.mark.parametrize('img_size,out_bn', [(128, False), (224, True)])
def test_conditional_dcgan_shape(condition, img_size, out_bn):
    gen = _dcgan(condition, img_size=img_size, out_bn=out_bn)
    x = gen(torch.randn(4, 16), torch.randint(0, NUM_CLASSES, (4, )))
    assert x.shape == (4, 3, img_size, img_size)
    if out_bn:
        assert x.mean(dim=(0, 2, 3)).abs().max() < 1e-4
    else:
        assert x.min() >= -1 and x.max() <= 1


def test_cbn_placement_and_eps():
    gen = _dafl('cbn')
    assert all(
        isinstance(getattr(gen, n), ConditionalBatchNorm2d)
        for n in ('bn0', 'bn1', 'bn2'))
    assert gen.bn0.bn.eps == 1e-5 and gen.bn1.bn.eps == 0.8 and \
        gen.bn2.bn.eps == 0.8
    assert gen.bn2.num_features == 8
    assert isinstance(gen.out_bn, nn.BatchNorm2d) and not gen.out_bn.affine
    assert _dafl('cbn', bn_eps=1e-5).bn1.bn.eps == 1e-5
    assert not _cbns(_dafl('embedding')) and not _cbns(_dafl('none'))
    assert not hasattr(_dafl('cbn'), 'label_emb')
    assert _dafl('both').label_emb.weight.shape == (NUM_CLASSES, 16)
    dcgan = _dcgan('cbn')
    assert len(_cbns(dcgan)) == 5
    assert isinstance(dcgan.bn0, ConditionalBatchNorm2d)
    assert all(isinstance(b[1], ConditionalBatchNorm2d) for b in dcgan.ups)


@pytest.mark.parametrize('build', [_dafl, _dcgan])
def test_none_ignores_labels(build):
    gen = build('none').eval()
    z = torch.randn(4, 16)
    with torch.no_grad():
        a = gen(z, torch.tensor([0, 1, 2, 3]))
        b = gen(z, torch.tensor([9, 8, 7, 6]))
        c = gen(z)
    assert torch.equal(a, b) and torch.equal(a, c)


def _assert_depends_on_labels(gen):
    gen.eval()
    z = torch.randn(4, 16)
    with torch.no_grad():
        a = gen(z, torch.tensor([0, 1, 2, 3]))
        b = gen(z, torch.tensor([4, 5, 6, 7]))
        a2 = gen(z, torch.tensor([0, 1, 2, 3]))
    assert torch.equal(a, a2)
    # every sample changes with its label (relative change: in eval mode
    # with fresh running statistics DCGAN's outputs are tiny)
    diff = (a - b).flatten(1).norm(dim=1)
    assert (diff > 1e-2 * a.flatten(1).norm(dim=1)).all()


@pytest.mark.parametrize('build', [_dafl, _dcgan])
@pytest.mark.parametrize('condition', ['embedding', 'cbn', 'both'])
def test_output_depends_on_labels(build, condition):
    gen = build(condition)
    _randomise_cbns(gen)
    _assert_depends_on_labels(gen)


@pytest.mark.parametrize('build', [_dafl, _dcgan])
def test_both_uses_each_path(build):
    # the embedding alone (conditional BNs left at scale 1, shift 0)
    gen = build('both')
    assert all((m.scale.weight == 1).all() for m in _cbns(gen))
    _assert_depends_on_labels(gen)
    # the conditional BNs alone (embedding made label-independent)
    gen = build('both')
    nn.init.ones_(gen.label_emb.weight)
    _randomise_cbns(gen)
    _assert_depends_on_labels(gen)


@pytest.mark.parametrize('build', [_dafl, _dcgan])
def test_cbn_at_init_is_unconditional(build):
    # with scale 1 and shift 0 for every class, 'cbn' ignores the label
    gen = build('cbn').eval()
    z = torch.randn(4, 16)
    with torch.no_grad():
        assert torch.equal(
            gen(z, torch.tensor([0, 1, 2, 3])),
            gen(z, torch.tensor([9, 8, 7, 6])))


def test_cbn_known_value():
    cbn = MODELS.build(
        dict(type='ConditionalBatchNorm2d', num_features=2, num_classes=3,
             eps=1e-5))
    x = torch.randn(6, 2, 4, 4)
    labels = torch.tensor([0, 1, 2, 0, 1, 2])
    ref = F.batch_norm(x, None, None, training=True, eps=1e-5)
    assert torch.allclose(cbn(x, labels), ref, atol=1e-6)
    cbn.eval()
    ref = F.batch_norm(x, cbn.bn.running_mean, cbn.bn.running_var,
                       training=False, eps=1e-5)
    assert torch.allclose(cbn(x, labels), ref, atol=1e-6)
    # hand-computed: values 1 and 3 -> mean 2, var 1 -> -1, +1
    cbn = ConditionalBatchNorm2d(1, 2, eps=1e-8)
    with torch.no_grad():
        cbn.scale.weight.copy_(torch.tensor([[2.0], [3.0]]))
        cbn.shift.weight.copy_(torch.tensor([[0.5], [-1.0]]))
    x = torch.tensor([1.0, 3.0]).view(2, 1, 1, 1)
    out = cbn(x, torch.tensor([0, 1]))
    assert torch.allclose(out.flatten(), torch.tensor([-1.5, 2.0]))
    out = cbn(x, torch.tensor([1, 0]))
    assert torch.allclose(out.flatten(), torch.tensor([-4.0, 2.5]))


def test_cbn_from_bn():
    bn = nn.BatchNorm2d(7, eps=0.8, momentum=0.3)
    cbn = ConditionalBatchNorm2d.from_bn(bn, 4)
    assert (cbn.num_features, cbn.num_classes, cbn.bn.eps,
            cbn.bn.momentum) == (7, 4, 0.8, 0.3)
    assert not cbn.bn.affine


def test_dcgan_init_keeps_cbn_identity():
    gen = ConditionalDCGANGenerator(
        NUM_CLASSES, 'both', latent_dim=16, base_channels=8)
    emb = gen.label_emb.weight.detach().clone()
    gen.init_weights()
    for m in _cbns(gen):
        assert (m.scale.weight == 1).all() and (m.shift.weight == 0).all()
    # the label embedding keeps PyTorch's N(0, 1) initialisation
    assert torch.equal(gen.label_emb.weight, emb)
    # the rest is DCGAN's initialisation
    assert abs(gen.ups[0][0].weight.std().item() - 0.02) < 0.005
    gen = _dcgan('none')
    assert abs(gen.ups[0][1].weight.mean().item() - 1.0) < 0.02
    assert gen.init_cfg == DCGANGenerator(base_channels=8).init_cfg


@pytest.mark.parametrize('build', [_dafl, _dcgan])
def test_label_errors(build):
    gen = build('embedding')
    z = torch.randn(4, 16)
    with pytest.raises(ValueError, match='needs labels'):
        gen(z)
    with pytest.raises(ValueError, match=r'\[0, 10\)'):
        gen(z, torch.tensor([0, 1, 2, NUM_CLASSES]))
    with pytest.raises(ValueError, match=r'\[0, 10\)'):
        gen(z, torch.tensor([0, -1, 2, 3]))
    with pytest.raises(ValueError, match='shape'):
        gen(z, torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match='shape'):
        gen(z, torch.zeros(4, 1, dtype=torch.long))
    with pytest.raises(ValueError, match='int64'):
        gen(z, torch.zeros(4))
    with pytest.raises(ValueError, match='needs labels'):
        build('cbn')(z)
    with pytest.raises(ValueError, match='condition must be one of'):
        build('concat')


@pytest.mark.parametrize('cond_cls,base_cls,kwargs',
                         [(ConditionalDAFLGenerator, DAFLGenerator,
                           dict(latent_dim=16, base_channels=16)),
                          (ConditionalDCGANGenerator, DCGANGenerator,
                           dict(latent_dim=16, base_channels=8))])
def test_state_dict_keys_and_parity(cond_cls, base_cls, kwargs):
    base = base_cls(**kwargs)
    keys = set(base.state_dict())
    # 'none': the unconditional generator, same keys and same output
    gen = cond_cls(NUM_CLASSES, 'none', **kwargs)
    assert set(gen.state_dict()) == keys
    gen.load_state_dict(base.state_dict())
    z = torch.randn(4, 16)
    assert torch.equal(gen(z, torch.arange(4)), base(z))
    # 'embedding' adds the label embedding only
    gen = cond_cls(NUM_CLASSES, 'embedding', **kwargs)
    assert set(gen.state_dict()) == keys | {'label_emb.weight'}
    # 'cbn' swaps each BN's affine parameters for per-class embeddings
    gen = cond_cls(NUM_CLASSES, 'cbn', **kwargs)
    bns = [n for n, m in base.named_modules()
           if isinstance(m, nn.BatchNorm2d) and m.affine]
    expected = set(keys)
    for n in bns:
        for k in ('weight', 'bias', 'running_mean', 'running_var',
                  'num_batches_tracked'):
            expected.remove(f'{n}.{k}')
        expected |= {f'{n}.scale.weight', f'{n}.shift.weight',
                     f'{n}.bn.running_mean', f'{n}.bn.running_var',
                     f'{n}.bn.num_batches_tracked'}
    assert set(gen.state_dict()) == expected


@pytest.mark.parametrize('build', [_dafl, _dcgan])
def test_gradients_reach_embeddings(build):
    gen = build('both')
    labels = torch.tensor([0, 1, 2, 2])
    x = gen(torch.randn(4, 16), labels)
    # a random projection: the squared norm of standardised outputs would
    # be nearly constant
    (x * torch.randn_like(x)).sum().backward()
    grad = gen.label_emb.weight.grad
    assert grad[:3].abs().sum(1).gt(0).all()
    assert grad[3:].abs().sum() == 0
    for m in _cbns(gen):
        assert m.scale.weight.grad[:3].abs().sum(1).gt(0).all()
        assert m.shift.weight.grad[:3].abs().sum(1).gt(0).all()
        assert m.scale.weight.grad[3:].abs().sum() == 0
