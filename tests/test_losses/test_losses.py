"""Known values for every loss."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmdfkd.losses import (ActivationLoss, InfoEntropyLoss, KDLoss,
                           LogitL1Loss, OneHotLoss)


def test_one_hot_loss_known_value():
    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    # CE against its own arg-max: -log softmax of the max entry
    expected = (math.log(1 + math.exp(-2)) + math.log(1 + math.exp(-1))) / 2
    assert OneHotLoss()(logits).item() == pytest.approx(expected, rel=1e-6)
    assert OneHotLoss(loss_weight=3)(logits).item() == pytest.approx(
        3 * expected, rel=1e-6)


def test_info_entropy_loss_known_values():
    # two confident samples of different classes: mean prediction uniform
    logits = torch.tensor([[100.0, 0.0], [0.0, 100.0]])
    assert InfoEntropyLoss(log_base=10)(logits).item() == pytest.approx(
        -math.log10(2), rel=1e-5)
    assert InfoEntropyLoss(log_base=math.e)(logits).item() == pytest.approx(
        -math.log(2), rel=1e-5)
    # all samples the same class: mean prediction one-hot, entropy 0
    same = torch.tensor([[100.0, 0.0], [100.0, 0.0]])
    assert InfoEntropyLoss()(same).item() == pytest.approx(0.0, abs=1e-6)
    # mean prediction (0.75, 0.25)
    probs = torch.tensor([[1.0, 0.0], [0.5, 0.5]]).clamp(1e-12).log()
    expected = 5 * (0.75 * math.log10(0.75) + 0.25 * math.log10(0.25))
    assert InfoEntropyLoss(loss_weight=5)(probs).item() == pytest.approx(
        expected, rel=1e-5)


def test_activation_loss_known_value():
    feats = torch.tensor([[1.0, -3.0], [0.0, 2.0]])
    assert ActivationLoss(loss_weight=0.1)(feats).item() == pytest.approx(
        -0.1 * 1.5)


def test_kd_loss_known_values():
    s = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    t = torch.tensor([[3.0, 2.0, 1.0], [1.0, 0.0, 0.0]])
    for tau in (1.0, 4.0):
        p_t = F.softmax(t / tau, 1)
        p_s = F.softmax(s / tau, 1)
        expected = (p_t * (p_t.log() - p_s.log())).sum(1).mean() * tau**2
        assert KDLoss(tau=tau)(s, t).item() == pytest.approx(
            expected.item(), rel=1e-5)
    assert KDLoss()(t, t).item() == pytest.approx(0.0, abs=1e-6)
    # hand value: uniform student, teacher (e/(e+2), 1/(e+2), 1/(e+2))
    e = math.e
    p = [e / (e + 2), 1 / (e + 2), 1 / (e + 2)]
    hand = sum(pi * math.log(pi / (1 / 3)) for pi in p)
    got = KDLoss()(torch.zeros(1, 3), torch.tensor([[1.0, 0.0, 0.0]]))
    assert got.item() == pytest.approx(hand, rel=1e-5)


def test_logit_l1_loss_known_value():
    s = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    t = torch.tensor([[0.0, 2.0], [5.0, 4.0]])
    assert LogitL1Loss()(s, t).item() == pytest.approx(0.75)
    assert LogitL1Loss(loss_weight=2)(s, t).item() == pytest.approx(1.5)


def test_losses_are_float32_under_bf16_inputs():
    s = torch.randn(4, 10).bfloat16()
    t = torch.randn(4, 10).bfloat16()
    assert KDLoss()(s, t).dtype == torch.float32
    assert LogitL1Loss()(s, t).dtype == torch.float32
