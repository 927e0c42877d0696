import math

import pytest
import torch

from mmdfkd.registry import MODELS


def _at(**kw):
    return MODELS.build(dict(type='AttentionTransferLoss', **kw))


def test_attention_transfer_known_values():
    # one sample, one channel, two pixels: AT(a) = a^2 / ||a^2||
    s = torch.tensor([1., 0.]).view(1, 1, 1, 2)
    t = torch.tensor([0., 1.]).view(1, 1, 1, 2)
    # diff (1, -1): mean of squares 1
    assert _at(loss_weight=1.0)(s, t).item() == pytest.approx(1.0)
    assert _at()(s, t).item() == pytest.approx(250.0)  # ZSKT's beta
    t = torch.tensor([1., 1.]).view(1, 1, 1, 2)  # AT = (1, 1) / sqrt(2)
    r = 1 / math.sqrt(2)
    expected = ((1 - r)**2 + r**2) / 2
    assert _at(loss_weight=1.0)(s, t).item() == pytest.approx(expected)


def test_attention_transfer_channel_count_free_and_zero_on_match():
    t = torch.rand(4, 16, 5, 5)
    # a student with 8 channels, each the mean-square map of the teacher's
    s = t.pow(2).mean(1, keepdim=True).sqrt().expand(4, 8, 5, 5)
    assert _at()(s, t).item() == pytest.approx(0.0, abs=1e-9)
    assert _at()(torch.rand(4, 8, 5, 5), t).item() > 0


def test_attention_transfer_spatial_mismatch_is_an_error():
    with pytest.raises(ValueError, match='same batch and spatial size'):
        _at()(torch.rand(2, 3, 14, 14), torch.rand(2, 6, 5, 5))


def test_fitnet_known_value_and_shape_check():
    loss = MODELS.build(dict(type='FitNetLoss', loss_weight=2.0))
    s = torch.zeros(2, 3, 4, 4)
    t = torch.full((2, 3, 4, 4), 3.0)
    assert loss(s, t).item() == pytest.approx(2.0 * 9.0)
    with pytest.raises(ValueError, match='same shape'):
        loss(torch.zeros(2, 3, 4, 4), torch.zeros(2, 6, 4, 4))
