"""Multi-header students of CDFKD-MFS: SepConv, the three backbones,
HeaderAttention and MultiHeaderClassifier (shapes, parameter counts against
the method notes, predict / loss / attention behaviour, config building)."""
import copy
import math
import os.path as osp
import types

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope
from mmpretrain.structures import DataSample

from mmdfkd.analysis.reference_loops import per_header_forward
from mmdfkd.models import (HeaderAttention, MultiHeaderClassifier,
                           MultiHeaderLeNet5, MultiHeaderResNet,
                           MultiHeaderWideResNet, SepConv)
from mmdfkd.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BASE = osp.join(ROOT, 'configs', '_base_', 'models')


def _num_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


# ----------------------------------------------------------------- SepConv
def test_sep_conv_layout_and_params():
    sep = SepConv(64, 128)
    kinds = [type(m).__name__ for m in sep.layers]
    assert kinds == ['DepthwiseConv2d', 'Conv2d', 'BatchNorm2d', 'ReLU'] * 2
    assert all(isinstance(m, torch.nn.Conv2d) for m in sep.layers[::4])
    dw1, pw1, bn1, _, dw2, pw2, bn2, _ = sep.layers
    assert dw1.groups == 64 and dw1.stride == (2, 2)
    assert dw2.groups == 64 and dw2.stride == (1, 1)
    assert pw1.out_channels == 64 and bn1.num_features == 64
    assert pw2.out_channels == 128 and bn2.num_features == 128
    assert all(c.bias is None for c in (dw1, pw1, dw2, pw2))
    # 2 * 9 C_in + C_in^2 + C_in C_out + 2 C_in + 2 C_out
    assert _num_params(sep) == 18 * 64 + 64**2 + 64 * 128 + 128 + 256
    out = sep(torch.randn(2, 64, 32, 32))
    assert out.shape == (2, 128, 16, 16) and out.min() >= 0  # ends in ReLU
    assert SepConv(8, 4, stride=1)(torch.randn(2, 8, 5, 5)).shape == \
        (2, 4, 5, 5)


# --------------------------------------------------------------- backbones
def _last_block(backbone):
    branch = backbone.branches[0]
    if isinstance(backbone, MultiHeaderLeNet5):
        # its branches run as grouped layers; hook the loop of the
        # official form
        backbone.forward = types.MethodType(per_header_forward, backbone)
        return branch[1]
    return branch[-1]


@pytest.mark.parametrize(
    'backbone, in_ch, size, dim, last_hw',
    [
        (dict(type='MultiHeaderResNet', stem='cifar'), 3, 32, 512, 2),
        (dict(type='MultiHeaderResNet', stem='imagenet'), 3, 128, 512, 2),
        (dict(type='MultiHeaderResNet', stem='imagenet'), 3, 224, 512, 4),
        (dict(type='MultiHeaderWideResNet', depth=16, widen_factor=1), 3, 32,
         64, 4),
        (dict(type='MultiHeaderWideResNet', depth=16, widen_factor=2), 3, 32,
         128, 4),
        (dict(type='MultiHeaderWideResNet', depth=40, widen_factor=2), 3, 32,
         128, 4),
        (dict(type='MultiHeaderLeNet5'), 1, 32, 60, 3),
    ],
    ids=['r18-32', 'r18-128', 'r18-224', 'wrn16-1', 'wrn16-2', 'wrn40-2',
         'lenet-32'])
def test_backbone_output_shapes(backbone, in_ch, size, dim, last_hw):
    init_default_scope('mmdfkd')
    model = MODELS.build(backbone)
    assert model.num_heads == 3 and model.out_channels == dim
    seen = []
    _last_block(model).register_forward_hook(
        lambda m, i, o: seen.append(o.shape))
    feats = model(torch.rand(2, in_ch, size, size))
    assert isinstance(feats, tuple) and len(feats) == 3
    assert all(f.shape == (2, dim) for f in feats)
    # spatial size of the last SepConv of a branch (§3.2 / §3.3 / ours)
    assert seen[0][-2:] == (last_hw, last_hw)
    # the headers are not copies of each other
    assert not torch.allclose(feats[0], feats[1])

    clf = MultiHeaderClassifier(backbone=model, num_classes=7)
    assert clf(torch.rand(2, in_ch, size, size)).shape == (2, 7)


@pytest.mark.parametrize('channels_last', [False, True])
def test_lenet_grouped_branches_equal_the_per_header_loop(channels_last):
    """MultiHeaderLeNet5 runs its headers' branches as grouped layers: the
    features, every gradient and the BN running statistics are those of
    one branch call after the other (the official form)."""
    torch.manual_seed(0)
    ours = MultiHeaderLeNet5(channels=(3, 8, 20), num_heads=4)
    theirs = copy.deepcopy(ours)
    theirs.forward = types.MethodType(per_header_forward, theirs)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    ours.to(memory_format=fmt)
    theirs.to(memory_format=fmt)
    x = torch.randn(8, 1, 32, 32).to(memory_format=fmt)
    for _ in range(2):                       # running stats move twice
        xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
        fa, fb = ours(xa), theirs(xb)
        assert len(fa) == 4
        for a, b in zip(fa, fb):
            torch.testing.assert_close(a, b)
        w = torch.randn(4, 8, 20)
        sum((f * w[h]).sum() for h, f in enumerate(fa)).backward()
        sum((f * w[h]).sum() for h, f in enumerate(fb)).backward()
        torch.testing.assert_close(xa.grad, xb.grad, rtol=1e-5, atol=1e-5)
    for (key, a), b in zip(ours.state_dict().items(),
                           theirs.state_dict().values()):
        torch.testing.assert_close(a, b, msg=key)
    for (key, a), b in zip(ours.named_parameters(), theirs.parameters()):
        # summation order differs: float32 rounding only
        torch.testing.assert_close(a.grad, b.grad, rtol=1e-5, atol=1e-4,
                                   msg=key)
    ours.eval()
    theirs.eval()
    with torch.no_grad():
        for a, b in zip(ours(x), theirs(x)):
            torch.testing.assert_close(a, b)
    # bfloat16 autocast: the same up to bfloat16 rounding
    with torch.no_grad(), torch.autocast('cpu', torch.bfloat16):
        for a, b in zip(ours(x), theirs(x)):
            torch.testing.assert_close(a.float(), b.float(), rtol=0.05,
                                       atol=0.05)


def test_grouped_batch_norm_needs_running_statistics():
    from mmdfkd.models.sep_conv import grouped_batch_norm
    bns = [nn.BatchNorm2d(2, momentum=None) for _ in range(2)]
    with pytest.raises(ValueError, match='momentum'):
        grouped_batch_norm(bns, torch.randn(4, 4, 3, 3))


def test_headers_only_share_the_trunk():
    model = MultiHeaderClassifier(
        backbone=dict(type='MultiHeaderWideResNet', depth=16,
                      widen_factor=1), num_classes=10)
    assert isinstance(model.backbone, MultiHeaderWideResNet)
    logits, _ = model.forward_heads(torch.rand(2, 3, 32, 32))
    logits[1].sum().backward()
    grads = [
        any(p.grad is not None and p.grad.abs().sum() > 0
            for p in branch.parameters())
        for branch in model.backbone.branches
    ]
    assert grads == [False, True, False]
    assert model.backbone.stem.weight.grad.abs().sum() > 0
    assert model.heads[0].weight.grad is None


def test_bad_arguments():
    with pytest.raises(ValueError, match='stem'):
        MultiHeaderResNet(stem='tiny')
    with pytest.raises(ValueError, match='num_heads'):
        MultiHeaderLeNet5(num_heads=0)
    with pytest.raises(ValueError, match='aggregation'):
        MultiHeaderClassifier(
            backbone=dict(type='MultiHeaderLeNet5'), num_classes=10,
            aggregation='max')


# ------------------------------------------------------- parameter counts
def _base_models(name):
    return Config.fromfile(osp.join(BASE, name))


# (config name, exact trunk, exact per-header incl. its linear, exact total
#  without the attention layer, reference trunk / header / total in M)
PARAMS = [
    ('mh_resnet18_cifar', 11168832, 2331748, 18164076, 11.17, 2.33, 18.2),
    ('mh_wrn40_2', 2242000, 156004, 2710012, 2.24, 0.156, 2.71),
    ('mh_wrn16_2', 690128, 156004, 1158140, 0.69, 0.156, 1.16),
    ('mh_wrn16_1', 174288, 44516, 307836, 0.17, 0.045, 0.31),
]


@pytest.mark.parametrize('name, trunk, header, total, ref_trunk, ref_header,'
                         ' ref_total', PARAMS, ids=[p[0] for p in PARAMS])
def test_param_counts_match_reference(name, trunk, header, total, ref_trunk,
                                      ref_header, ref_total):
    cfg = _base_models('multi_header.py')[name]
    init_default_scope('mmdfkd')
    model = MODELS.build(cfg)
    backbone = model.backbone
    n_trunk = _num_params(backbone) - sum(
        _num_params(b) for b in backbone.branches)
    n_header = _num_params(backbone.branches[0]) + _num_params(
        model.heads[0])
    n_total = _num_params(model) - _num_params(model.attention)
    assert (n_trunk, n_header, n_total) == (trunk, header, total)
    assert n_trunk / 1e6 == pytest.approx(ref_trunk, rel=0.03)
    assert n_header / 1e6 == pytest.approx(ref_header, rel=0.03)
    assert n_total / 1e6 == pytest.approx(ref_total, rel=0.03)
    assert _num_params(model.attention) == 101


def test_param_counts_imagenet_stem_and_lenet():
    init_default_scope('mmdfkd')
    model = MODELS.build(_base_models('multi_header.py').mh_resnet18)
    assert _num_params(model) == 18171756 + 101  # 7x7 stem: +7,680
    lenet = MODELS.build(_base_models('lenet5.py').mh_lenet5_half)
    assert _num_params(lenet) == 41831 + 11
    # guideline: at most ~3x LeNet-5-Half (15,738 parameters)
    assert _num_params(lenet) <= 3 * 15738


# --------------------------------------------------------- HeaderAttention
def test_header_attention_known_value():
    att = HeaderAttention(num_classes=2)
    with torch.no_grad():
        att.fc.weight.copy_(torch.tensor([[1.0, 0.0]]))
        att.fc.bias.fill_(0.7)  # shared by all headers: no effect
    s1 = torch.tensor([[0.0, 4.0]])
    s2 = torch.tensor([[math.log(3.0), 0.0]])
    # g(S_1) = 0, g(S_2) = ln 3 -> w = (1/4, 3/4)
    expected = torch.tensor([[0.75 * math.log(3.0), 1.0]])
    assert torch.allclose(att([s1, s2]), expected, atol=1e-6)
    stacked = torch.stack([s1, s2], dim=1)  # (N, H, K)
    assert torch.allclose(att(stacked), expected, atol=1e-6)


def test_header_attention_equal_scores_is_mean():
    att = HeaderAttention(num_classes=5)
    with torch.no_grad():
        att.fc.weight.zero_()
    logits = torch.randn(4, 3, 5)
    assert torch.allclose(att(logits), logits.mean(dim=1), atol=1e-6)


# --------------------------------------------------- MultiHeaderClassifier
def _lenet_classifier(**kwargs):
    torch.manual_seed(0)
    return MultiHeaderClassifier(
        backbone=dict(type='MultiHeaderLeNet5'), num_classes=10, **kwargs)


def test_tensor_mode_is_mean_of_header_logits():
    model = _lenet_classifier().eval()
    x = torch.rand(4, 1, 32, 32)
    logits, feats = model.forward_heads(x)
    assert len(logits) == 3 and all(s.shape == (4, 10) for s in logits)
    assert all(f.shape == (4, 60) for f in feats)
    assert torch.allclose(model(x), sum(logits) / 3, atol=1e-6)
    assert all(
        torch.equal(a, b) for a, b in zip(model.extract_feat(x), feats))


def test_predict_mode():
    model = _lenet_classifier().eval()
    x = torch.rand(4, 1, 32, 32)
    logits, _ = model.forward_heads(x)
    gts = [DataSample().set_gt_label(i) for i in range(4)]
    samples = model(x, gts, mode='predict')
    assert len(samples) == 4 and samples[0] is gts[0]
    expected = F.softmax(torch.stack(logits).mean(0), dim=1)  # (N, K)
    for i, sample in enumerate(samples):
        assert torch.allclose(sample.pred_score, expected[i], atol=1e-6)
        assert sample.pred_label.item() == expected[i].argmax().item()
        assert sample.gt_label.item() == i
        assert sample.head_scores.shape == (3, 10)
        for h in range(3):
            assert torch.allclose(sample.head_scores[h],
                                  F.softmax(logits[h][i], dim=0), atol=1e-6)
    # without data samples, new ones are made
    assert isinstance(model(x, mode='predict')[0], DataSample)


def test_attention_aggregation_hand_set():
    model = _lenet_classifier(aggregation='attention').eval()
    mean_model = _lenet_classifier().eval()
    assert model.state_dict().keys() == mean_model.state_dict().keys()
    with torch.no_grad():
        model.attention.fc.weight.zero_()
        model.attention.fc.weight[0, 0] = 1.0  # score = logit of class 0
    x = torch.rand(3, 1, 32, 32)
    logits, _ = model.forward_heads(x)
    stacked = torch.stack(logits, dim=1)  # (N, H, K)
    w = F.softmax(stacked[:, :, 0], dim=1)  # (N, H)
    expected = (w[:, :, None] * stacked).sum(1)
    assert torch.allclose(model(x), expected, atol=1e-6)
    assert not torch.allclose(model(x), stacked.mean(1), atol=1e-4)
    pred = model(x, mode='predict')
    assert torch.allclose(pred[0].pred_score, F.softmax(expected[0], 0),
                          atol=1e-6)


def test_loss_mode():
    model = _lenet_classifier().train()
    x = torch.rand(4, 1, 32, 32)
    gts = [DataSample().set_gt_label(i % 10) for i in range(4)]
    losses = model(x, gts, mode='loss')
    assert set(losses) == {'loss'} and torch.isfinite(losses['loss'])
    losses['loss'].backward()
    assert model.heads[2].weight.grad.abs().sum() > 0

    model.eval()  # BN in eval mode: same logits twice
    losses = model(x, gts, mode='loss')
    logits, _ = model.forward_heads(x)
    target = torch.tensor([0, 1, 2, 3])
    expected = sum(F.cross_entropy(s, target) for s in logits) / 3
    assert losses['loss'].item() == pytest.approx(expected.item(), rel=1e-5)
    # soft targets (batch augments) give the same value for one-hot scores
    soft = [DataSample().set_gt_score(F.one_hot(t, 10).float())
            for t in target]
    assert model(x, soft, mode='loss')['loss'].item() == pytest.approx(
        expected.item(), rel=1e-5)


# ------------------------------------------------------------ from configs
def test_build_from_config_under_mmdfkd_scope():
    from mmpretrain.models import ClsDataPreprocessor
    cfg = _base_models('lenet5.py').mh_lenet5_half
    init_default_scope('mmdfkd')
    no_scope = {k: v for k, v in cfg.items() if k != '_scope_'}
    for c in (cfg, no_scope):
        model = MODELS.build(c)
        assert isinstance(model, MultiHeaderClassifier)
        assert isinstance(model.backbone, MultiHeaderLeNet5)
        assert isinstance(model.data_preprocessor, ClsDataPreprocessor)


def test_build_from_config_under_mmpretrain_scope():
    from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
    cfg = _base_models('lenet5.py').mh_lenet5_half
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MMPRETRAIN_MODELS.build(cfg)  # `_scope_='mmdfkd'` in cfg
    assert isinstance(model, MultiHeaderClassifier)


def test_val_step_and_train_step():
    from mmengine.optim import OptimWrapper

    from mmdfkd.evaluation import HeaderAccuracy
    model = MultiHeaderClassifier(
        backbone=dict(type='MultiHeaderLeNet5'), num_classes=10,
        data_preprocessor=dict(mean=[127.5], std=[127.5]))
    data = dict(
        inputs=[torch.randint(0, 255, (1, 32, 32), dtype=torch.uint8)
                for _ in range(4)],
        data_samples=[DataSample().set_gt_label(i) for i in range(4)])
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    log_vars = model.train_step(data, optim)
    assert torch.isfinite(log_vars['loss'])

    outputs = model.val_step(data)
    metric = HeaderAccuracy()
    metric.process(data, [o.to_dict() for o in outputs])
    result = metric.evaluate(4)
    assert set(result) == {f'header/head{i}_top1' for i in (1, 2, 3)} | {
        'header/mean_top1'}
    mean_hits = sum(o.mean_score.argmax().item() == o.gt_label.item()
                    for o in outputs)
    assert result['header/mean_top1'] == pytest.approx(mean_hits * 25)
    for i in range(3):
        acc = sum(o.head_scores[i].argmax().item() == o.gt_label.item()
                  for o in outputs) * 100 / 4
        assert result[f'header/head{i + 1}_top1'] == pytest.approx(acc)


def test_depthwise_conv_runs_in_float32_under_cpu_autocast():
    """SepConv's depthwise convolutions compute in float32 under CPU
    autocast (oneDNN's bfloat16 depthwise kernels are slow), the rest in
    bfloat16; outside autocast the block is unchanged."""
    from mmdfkd.models.sep_conv import DepthwiseConv2d
    torch.manual_seed(0)
    sep = SepConv(4, 6).eval()
    x = torch.randn(2, 4, 8, 8)
    dtypes = {}
    for i, layer in enumerate(sep.layers):
        layer.register_forward_hook(
            lambda m, a, out, i=i: dtypes.__setitem__(i, out.dtype))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        y = sep(x)
    assert isinstance(sep.layers[0], DepthwiseConv2d)
    assert dtypes[0] == dtypes[4] == torch.float32      # depthwise
    assert dtypes[1] == dtypes[5] == torch.bfloat16     # pointwise
    torch.testing.assert_close(y.float(), sep(x), atol=0.1, rtol=0.05)
