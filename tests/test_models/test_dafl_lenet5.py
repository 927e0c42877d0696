import pytest
import torch
from mmengine.registry import init_default_scope

from mmdfkd.models import DAFLLeNet5
from mmdfkd.registry import MODELS


def _num_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _build_classifier(channels, mid_channels):
    init_default_scope('mmdfkd')
    # ``_scope_`` makes mmpretrain's own defaults (ClsDataPreprocessor, the
    # head and loss) resolve inside ImageClassifier.
    return MODELS.build(
        dict(
            type='mmpretrain.ImageClassifier',
            _scope_='mmpretrain',
            backbone=dict(type='mmdfkd.DAFLLeNet5', channels=channels),
            head=dict(
                type='StackedLinearClsHead',
                num_classes=10,
                in_channels=channels[2],
                mid_channels=mid_channels)))


def test_output_shape():
    model = DAFLLeNet5()
    feats = model(torch.rand(4, 1, 32, 32))
    assert isinstance(feats, tuple) and len(feats) == 1
    assert feats[0].shape == (4, 120)

    half = DAFLLeNet5(in_channels=3, channels=(3, 8, 60))
    assert half(torch.rand(2, 3, 32, 32))[0].shape == (2, 60)


def test_registered():
    init_default_scope('mmdfkd')
    model = MODELS.build(dict(type='DAFLLeNet5', channels=(3, 8, 60)))
    assert isinstance(model, DAFLLeNet5)


@pytest.mark.parametrize('channels, mid_channels, expected', [
    ((6, 16, 120), [84], 61706),
    ((3, 8, 60), [42], 15738),
])
def test_classifier_param_count(channels, mid_channels, expected):
    model = _build_classifier(channels, mid_channels)
    assert _num_params(model) == expected
    logits = model(torch.rand(2, 1, 32, 32))
    assert logits.shape == (2, 10)


def test_bad_channels():
    with pytest.raises(ValueError, match='3 values'):
        DAFLLeNet5(channels=(6, 16))


def test_norm_cfg_adds_bn_before_relu():
    plain = DAFLLeNet5()
    assert [k for k in plain.state_dict()] == [
        'features.0.weight', 'features.0.bias', 'features.3.weight',
        'features.3.bias', 'features.6.weight', 'features.6.bias'
    ]
    model = DAFLLeNet5(norm_cfg=dict(type='BN'))
    kinds = [type(m).__name__ for m in model.features]
    assert kinds == [
        'Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'BatchNorm2d',
        'ReLU', 'MaxPool2d', 'Conv2d', 'BatchNorm2d', 'ReLU'
    ]
    assert all(m.bias is None for m in model.features
               if isinstance(m, torch.nn.Conv2d))
    assert model(torch.rand(3, 1, 32, 32))[0].shape == (3, 120)
    # 61,706 - 142 conv biases + 2 * 142 BN weights and biases
    init_default_scope('mmdfkd')
    clf = MODELS.build(
        dict(
            type='mmpretrain.ImageClassifier',
            _scope_='mmpretrain',
            backbone=dict(type='mmdfkd.DAFLLeNet5', norm_cfg=dict(type='BN')),
            head=dict(
                type='StackedLinearClsHead',
                num_classes=10,
                in_channels=120,
                mid_channels=[84])))
    assert _num_params(clf) == 61848


def test_lenet5_bn_config_feeds_bn_statistics_loss(root):
    import os.path as osp

    from mmengine.config import Config

    from mmdfkd.losses import BNStatisticsLoss
    from mmdfkd.utils import BNStatsRecorder
    cfg = Config.fromfile(osp.join(root, 'configs/_base_/models/lenet5.py'))
    init_default_scope('mmdfkd')
    teacher = MODELS.build(cfg.lenet5_bn).eval()
    assert _num_params(teacher) == 61848
    x = torch.rand(4, 1, 32, 32, requires_grad=True)
    with BNStatsRecorder(teacher) as rec:
        teacher(x)
    assert [m.shape[0] for m in rec.means] == [6, 16, 120]
    loss = BNStatisticsLoss()(rec.means, rec.vars, rec.running_means,
                              rec.running_vars)
    loss.backward()
    assert torch.isfinite(loss) and loss > 0 and x.grad.abs().sum() > 0
