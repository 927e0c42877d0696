import copy

import pytest
import torch
from mmengine.config import Config

from mmdfkd.models import request_stages, stage_outputs
from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError

LENET = Config.fromfile('configs/_base_/models/lenet5.py')
CIFAR = Config.fromfile('configs/_base_/models/resnet_cifar.py')


def test_lenet5_out_indices_shapes_and_default():
    from mmdfkd.models import DAFLLeNet5
    x = torch.rand(2, 1, 32, 32)
    assert [o.shape for o in DAFLLeNet5()(x)] == [(2, 120)]
    outs = DAFLLeNet5(norm_cfg=dict(type='BN'), out_indices=(0, 1, 2))(x)
    assert [tuple(o.shape) for o in outs] == [(2, 6, 14, 14), (2, 16, 5, 5),
                                              (2, 120)]
    with pytest.raises(ValueError, match='out_indices'):
        DAFLLeNet5(out_indices=(1, 0))


@pytest.mark.parametrize('cfg,stages,shapes', [
    (LENET.lenet5_half, (0, 1), [(2, 3, 14, 14), (2, 8, 5, 5)]),
    (CIFAR.resnet18_cifar, (1, 2), [(2, 128, 16, 16), (2, 256, 8, 8)]),
])
def test_stages_and_logits_in_one_pass_equal_plain_forward(cfg, stages,
                                                           shapes):
    torch.manual_seed(0)
    plain = MODELS.build(copy.deepcopy(cfg)).eval()
    fm = MODELS.build(
        dict(copy.deepcopy(cfg), type='mmdfkd.FeatureMapClassifier',
             stages=stages)).eval()
    fm.load_state_dict(plain.state_dict())  # same weights, same keys
    channels = 1 if 'LeNet' in cfg.backbone.type else 3
    x = torch.rand(2, channels, 32, 32)
    feats, logits = fm(x, mode='stages')
    assert [tuple(f.shape) for f in feats] == shapes
    torch.testing.assert_close(logits, plain(x))
    torch.testing.assert_close(fm(x), plain(x))  # tensor mode unchanged
    # the same through the helper on a plain classifier
    request_stages(plain, stages)
    feats2, logits2 = stage_outputs(plain, x, stages)
    torch.testing.assert_close(feats2[-1], feats[-1])
    torch.testing.assert_close(logits2, logits)


def test_request_stages_errors():
    model = MODELS.build(copy.deepcopy(LENET.lenet5))
    with pytest.raises(DFKDInputError, match='must come before'):
        request_stages(model, (2, ), 'teacher')
    with pytest.raises(DFKDInputError, match='no backbone with'):
        request_stages(torch.nn.Linear(2, 2), (0, ), 'teacher')
