import pytest
import torch
from mmengine.registry import init_default_scope

from mmdfkd.models import WideResNet
from mmdfkd.registry import MODELS


def _num_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _build_classifier(depth, widen_factor, num_classes=10):
    init_default_scope('mmdfkd')
    return MODELS.build(
        dict(
            type='mmpretrain.ImageClassifier',
            _scope_='mmpretrain',
            backbone=dict(
                type='mmdfkd.WideResNet',
                depth=depth,
                widen_factor=widen_factor),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(
                type='LinearClsHead',
                num_classes=num_classes,
                in_channels=64 * widen_factor)))


def test_output_shapes():
    model = WideResNet(depth=16, widen_factor=2, out_indices=(0, 1, 2))
    feats = model(torch.rand(2, 3, 32, 32))
    assert [f.shape for f in feats] == [(2, 32, 32, 32), (2, 64, 16, 16),
                                        (2, 128, 8, 8)]
    # the last output is taken after the final BN-ReLU
    assert feats[2].min() >= 0

    model = WideResNet(depth=40, widen_factor=2)
    feats = model(torch.rand(2, 3, 32, 32))
    assert len(feats) == 1 and feats[0].shape == (2, 128, 8, 8)


@pytest.mark.parametrize('depth, widen_factor, expected', [
    (40, 2, 2243546),
    (40, 1, 563930),
    (16, 2, 691674),
    (16, 1, 175066),
])
def test_classifier_param_count(depth, widen_factor, expected):
    model = _build_classifier(depth, widen_factor)
    assert _num_params(model) == expected
    assert model(torch.rand(2, 3, 32, 32)).shape == (2, 10)


def test_default_init():
    model = WideResNet(depth=16, widen_factor=1)
    model.init_weights()
    conv = model.groups[2][0].conv2
    fan_out = conv.out_channels * 9
    assert conv.weight.std().item() == pytest.approx(
        (2.0 / fan_out)**0.5, rel=0.1)
    for bn in (model.final_bn, model.groups[0][0].bn1):
        assert torch.all(bn.weight == 1) and torch.all(bn.bias == 0)


def test_drop_rate_and_eval():
    model = WideResNet(depth=16, widen_factor=1, drop_rate=0.3).eval()
    x = torch.rand(2, 3, 32, 32)
    assert torch.equal(model(x)[0], model(x)[0])


def test_bad_args():
    with pytest.raises(ValueError, match='6n \\+ 4'):
        WideResNet(depth=20)
    with pytest.raises(ValueError, match='out_indices'):
        WideResNet(depth=16, out_indices=(3, ))
