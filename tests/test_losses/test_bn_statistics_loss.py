"""BNStatisticsLoss (DeepInversion / CDFKD-MFS / Fast DFKD) and the
BNStatsRecorder that feeds it."""
import pytest
import torch
import torch.nn as nn
from mmengine.registry import init_default_scope

from mmdfkd.losses import BNStatisticsLoss
from mmdfkd.registry import MODELS
from mmdfkd.utils import BNStatsRecorder


def _t(*values):
    return torch.tensor(values, dtype=torch.float32)


# ----------------------------------------------------------------- the loss
def test_one_layer_known_value():
    # ||rv - var|| = ||(1, 1) - (1, 3)|| = 2; ||rm - mu|| = ||(3, 4)|| = 5
    args = ([_t(3.0, 4.0)], [_t(1.0, 3.0)], [_t(0.0, 0.0)], [_t(1.0, 1.0)])
    assert BNStatisticsLoss(first_bn_multiplier=1)(*args).item() == \
        pytest.approx(7.0)
    # the only layer is the first one: weight 5 (CDFKD-MFS)
    assert BNStatisticsLoss()(*args).item() == pytest.approx(35.0)
    loss = BNStatisticsLoss(loss_weight=0.1)(*args)
    assert loss.item() == pytest.approx(3.5)
    assert loss.dim() == 0


def test_norms_are_not_squared():
    # r = |rv - var| + |rm - mu| for C = 1; squared norms would give 4 + 9
    args = ([_t(3.0)], [_t(3.0)], [_t(0.0)], [_t(1.0)])
    assert BNStatisticsLoss(first_bn_multiplier=1)(*args).item() == \
        pytest.approx(2.0 + 3.0)


def test_first_layer_multiplier_only_on_first_layer():
    means = [_t(1.0), _t(2.0), _t(0.0)]
    variances = [_t(1.0), _t(1.0), _t(5.0)]
    rms = [_t(0.0), _t(0.0), _t(0.0)]
    rvs = [_t(1.0), _t(1.0), _t(1.0)]
    # r = (1, 2, 4); weights (5, 1, 1) -> 5 + 2 + 4
    assert BNStatisticsLoss()(means, variances, rms, rvs).item() == \
        pytest.approx(11.0)
    assert BNStatisticsLoss(first_bn_multiplier=10)(
        means, variances, rms, rvs).item() == pytest.approx(16.0)


def test_mean_over_layers():
    means = [_t(1.0), _t(2.0), _t(0.0)]
    variances = [_t(1.0), _t(1.0), _t(5.0)]
    rms = [_t(0.0), _t(0.0), _t(0.0)]
    rvs = [_t(1.0), _t(1.0), _t(1.0)]
    # (5 * 1 + 2 + 4) / 3 layers, times the weight
    loss = BNStatisticsLoss(reduction='mean', loss_weight=3.0)
    assert loss(means, variances, rms, rvs).item() == pytest.approx(11.0)
    assert BNStatisticsLoss(reduction='mean')(
        means[:1], variances[:1], rms[:1], rvs[:1]).item() == \
        pytest.approx(5.0)
    with pytest.raises(ValueError, match='reduction'):
        BNStatisticsLoss(reduction='none')


def test_empty_and_mismatched_lists():
    assert BNStatisticsLoss()([], [], [], []).item() == 0.0
    with pytest.raises(ValueError, match='one entry per'):
        BNStatisticsLoss()([_t(1.0)], [], [_t(0.0)], [_t(1.0)])


def test_float32_under_bf16_stats():
    args = ([_t(3.0, 4.0).bfloat16()], [_t(1.0, 3.0).bfloat16()],
            [_t(0.0, 0.0)], [_t(1.0, 1.0)])
    loss = BNStatisticsLoss(first_bn_multiplier=1)(*args)
    assert loss.dtype == torch.float32
    assert loss.item() == pytest.approx(7.0)


def test_momentum_ema():
    loss = BNStatisticsLoss(first_bn_multiplier=1, momentum=0.9)
    plain = BNStatisticsLoss(first_bn_multiplier=1)
    rm, rv = [_t(0.0)], [_t(1.0)]
    mu1, var1 = [_t(2.0)], [_t(3.0)]
    # EMA empty: the plain loss, |1 - 3| + |0 - 2|
    assert loss.ema_means is None
    assert loss(mu1, var1, rm, rv).item() == pytest.approx(4.0)
    assert loss(mu1, var1, rm, rv).item() == plain(mu1, var1, rm, rv).item()
    # the forward never updates the EMA
    assert loss.ema_means is None

    loss.update_ema(mu1, var1)  # first update stores the batch stats
    assert loss.ema_means[0].item() == pytest.approx(2.0)
    assert loss.ema_vars[0].item() == pytest.approx(3.0)
    # target mix: mu = 0.1 * 4 + 0.9 * 2 = 2.2,
    # var = 0.1 * 0.5 + 0.9 * 3 = 2.75
    mu2, var2 = [_t(4.0)], [_t(0.5)]
    assert loss(mu2, var2, rm, rv).item() == pytest.approx(
        abs(1 - 2.75) + abs(0 - 2.2))
    assert plain(mu2, var2, rm, rv).item() == pytest.approx(0.5 + 4.0)

    loss.update_ema(mu2, var2)  # EMA <- 0.9 EMA + 0.1 batch
    assert loss.ema_means[0].item() == pytest.approx(0.9 * 2 + 0.1 * 4)
    assert loss.ema_vars[0].item() == pytest.approx(0.9 * 3 + 0.1 * 0.5)

    loss.reset_ema()
    assert loss(mu2, var2, rm, rv).item() == pytest.approx(4.5)


def test_momentum_zero_ignores_ema_and_ema_has_no_grad():
    loss = BNStatisticsLoss(first_bn_multiplier=1, momentum=0.0)
    mu = _t(2.0).requires_grad_()
    loss.update_ema([mu * 10], [_t(3.0)])
    assert not loss.ema_means[0].requires_grad
    got = loss([mu], [_t(3.0)], [_t(0.0)], [_t(1.0)])
    assert got.item() == pytest.approx(4.0)
    got.backward()
    assert mu.grad.item() == pytest.approx(1.0)  # d|0 - mu|/dmu, mu > 0


def test_bad_momentum_and_registered():
    with pytest.raises(ValueError, match='momentum'):
        BNStatisticsLoss(momentum=1.0)
    init_default_scope('mmdfkd')
    loss = MODELS.build(dict(type='BNStatisticsLoss', momentum=0.9))
    assert isinstance(loss, BNStatisticsLoss) and loss.momentum == 0.9


# ------------------------------------------------------------- the recorder
class _TwoBN(nn.Module):
    """bn_a is registered first but runs second."""

    def __init__(self):
        super().__init__()
        self.bn_a = nn.BatchNorm2d(2)
        self.bn_b = nn.BatchNorm2d(2)

    def forward(self, x):
        return self.bn_a(self.bn_b(x) * 3 + 1)


def test_recorder_known_values_and_module_order():
    x = torch.tensor([[[[1.0, 2.0]], [[0.0, 0.0]]],
                      [[[3.0, 4.0]], [[2.0, 2.0]]]])  # (2, 2, 1, 2)
    model = _TwoBN().train()
    with BNStatsRecorder(model) as rec:
        model(x)
    # module order: bn_a first; its input is 3 * bn_b(x) + 1, mean 1
    assert torch.allclose(rec.means[0], _t(1.0, 1.0), atol=1e-6)
    # bn_b (train mode) sees x: channel 0 = (1, 2, 3, 4), channel 1 =
    # (0, 0, 2, 2); biased var = E[x^2] - E[x]^2
    assert torch.allclose(rec.means[1], _t(2.5, 1.0))
    assert torch.allclose(rec.vars[1], _t(7.5 - 2.5**2, 2.0 - 1.0))
    assert rec.running_means[0] is model.bn_a.running_mean
    assert rec.running_vars[1] is model.bn_b.running_var
    assert all(m.shape == (2, ) for m in rec.means + rec.vars)


def test_recorder_hooks_removed_and_clear():
    model = _TwoBN().eval()
    rec = BNStatsRecorder(model)
    with rec:
        assert len(model.bn_a._forward_pre_hooks) == 1
        model(torch.randn(2, 2, 3, 3))
    assert len(model.bn_a._forward_pre_hooks) == 0
    assert len(rec.means) == 2  # records stay readable after the block
    model(torch.randn(2, 2, 3, 3))  # not recorded any more
    rec.clear()
    assert rec.means == [] and rec.running_vars == []


def test_recorder_skips_1d_and_untracked_bn():
    model = nn.Sequential(
        nn.BatchNorm2d(3), nn.BatchNorm2d(3, track_running_stats=False),
        nn.Flatten(), nn.BatchNorm1d(3 * 4 * 4))
    with BNStatsRecorder(model) as rec:
        model(torch.randn(2, 3, 4, 4))
    assert len(rec.means) == 1 and rec.means[0].shape == (3, )


def test_recorder_gradient_reaches_input():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3)
    model = nn.Sequential(conv, nn.BatchNorm2d(4), nn.ReLU()).eval()
    model[1].running_mean.fill_(0.5)
    x = torch.randn(4, 3, 8, 8, requires_grad=True)
    with BNStatsRecorder(model) as rec:
        model(x)
    loss = BNStatisticsLoss()(rec.means, rec.vars, rec.running_means,
                              rec.running_vars)
    grad, = torch.autograd.grad(loss, x)
    assert grad.abs().sum() > 0

    # the same loss written out by hand from the conv output
    y = conv(x)  # (4, 4, 6, 6)
    mu = y.mean(dim=(0, 2, 3))
    var = ((y - mu[None, :, None, None])**2).mean(dim=(0, 2, 3))
    hand = 5 * ((torch.ones(4) - var).norm() +
                (torch.full((4, ), 0.5) - mu).norm())
    hand_grad, = torch.autograd.grad(hand, x)
    assert loss.item() == pytest.approx(hand.item(), rel=1e-5)
    assert torch.allclose(grad, hand_grad, atol=1e-6)


def test_loss_zero_when_batch_stats_equal_running_stats():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 4, 3), nn.BatchNorm2d(4))
    x = torch.randn(6, 3, 10, 10)
    # train mode: each BN normalises with the biased batch stats
    model.train()
    with BNStatsRecorder(model) as rec, torch.no_grad():
        model(x)
    for bn, mu, var in zip(rec.layers, rec.means, rec.vars):
        bn.running_mean.copy_(mu)
        bn.running_var.copy_(var)
    # eval mode with running = batch stats reproduces every layer's input
    model.eval()
    with BNStatsRecorder(model) as rec:
        model(x)
    loss = BNStatisticsLoss()(rec.means, rec.vars, rec.running_means,
                              rec.running_vars)
    assert len(rec.means) == 2
    assert loss.item() == pytest.approx(0.0, abs=1e-5)
    # and a different batch is penalised
    with BNStatsRecorder(model) as rec:
        model(x * 2 + 1)
    assert BNStatisticsLoss()(rec.means, rec.vars, rec.running_means,
                              rec.running_vars).item() > 1.0


def test_recorder_without_bn():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())
    with BNStatsRecorder(model) as rec:
        model(torch.randn(2, 1, 5, 5))
    assert rec.means == [] and rec.vars == []
    assert rec.running_means == [] and rec.running_vars == []
    loss = BNStatisticsLoss()(rec.means, rec.vars, rec.running_means,
                              rec.running_vars)
    assert loss.item() == 0.0
