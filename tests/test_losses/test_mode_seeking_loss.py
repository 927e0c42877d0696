"""Known values of RDSKD's losses, computed by hand."""
import math

import pytest
import torch

from mmdfkd.losses import InfoEntropyLoss, ModeSeekingLoss

LN3 = math.log(3)


def test_mode_seeking_loss_two_one_pixel_images():
    # x1 = 0, x2 = 3; p1 = (1/2, 1/2), p2 = softmax(ln 3, 0) = (3/4, 1/4):
    # ||p2 - p1|| = sqrt(2)/4, lz = 3 / (sqrt(2)/4), L = sqrt(2)/12
    images = torch.tensor([0.0, 3.0]).view(2, 1, 1, 1)
    logits = torch.tensor([[0.0, 0.0], [LN3, 0.0]])
    loss = ModeSeekingLoss()(images, logits)
    assert loss.item() == pytest.approx(math.sqrt(2) / 12, rel=1e-6)
    assert ModeSeekingLoss(loss_weight=2.0)(images, logits).item() == \
        pytest.approx(math.sqrt(2) / 6, rel=1e-6)


def test_mode_seeking_loss_pairs_halves_with_whole_tensor_norms():
    # halves (x0, x1) = (0, 1) and (x2, x3) = (3, 1): ||x2 - x1||_F = 3.
    # p rows: (1/2, 1/2), (1/2, 1/2), (3/4, 1/4), (1/4, 3/4):
    # ||p2 - p1||_F = sqrt(4 / 16) = 1/2, so L = (1/2) / 3 = 1/6.
    # (Pairing neighbours, (0, 1) and (2, 3), would give sqrt(1/2)/sqrt(5);
    # a per-sample ratio would divide by zero for the second pair.)
    images = torch.tensor([0.0, 1.0, 3.0, 1.0]).view(4, 1, 1, 1)
    logits = torch.tensor([[0.0, 0.0], [0.0, 0.0], [LN3, 0.0], [0.0, LN3]])
    assert ModeSeekingLoss()(images, logits).item() == pytest.approx(
        1 / 6, rel=1e-6)


def test_mode_seeking_loss_gradient_reaches_the_images():
    # L = c / (x2 - x1) with c = sqrt(2)/4: dL/dx2 = -c/9 = -dL/dx1
    images = torch.tensor([0.0, 3.0]).view(2, 1, 1, 1).requires_grad_()
    logits = torch.tensor([[0.0, 0.0], [LN3, 0.0]], requires_grad=True)
    ModeSeekingLoss()(images, logits).backward()
    c = math.sqrt(2) / 4
    assert images.grad.view(-1).tolist() == pytest.approx([c / 9, -c / 9],
                                                          rel=1e-5)
    assert logits.grad.abs().sum() > 0  # and to the teacher's logits


def test_mode_seeking_loss_needs_an_even_batch():
    with pytest.raises(ValueError, match='even batch'):
        ModeSeekingLoss()(torch.randn(3, 1, 4, 4), torch.randn(3, 10))
    with pytest.raises(ValueError, match='as many'):
        ModeSeekingLoss()(torch.randn(4, 1, 4, 4), torch.randn(2, 10))


def test_info_entropy_loss_natural_log_uniform_mean_is_minus_ln_k():
    for k in (2, 5, 10):
        # identical logits: every prediction (and the mean) is uniform
        assert InfoEntropyLoss(log_base=math.e)(torch.zeros(3, k)).item() \
            == pytest.approx(-math.log(k), rel=1e-6)
        # confident predictions of k different classes: uniform mean too
        assert InfoEntropyLoss(log_base=math.e)(
            20 * torch.eye(k)).item() == pytest.approx(-math.log(k),
                                                       rel=1e-5)
    # mean prediction (3/4, 1/4): 3/4 ln 3/4 + 1/4 ln 1/4
    logits = torch.tensor([[LN3, 0.0], [LN3, 0.0]])
    assert InfoEntropyLoss(log_base=math.e)(logits).item() == pytest.approx(
        0.75 * math.log(0.75) + 0.25 * math.log(0.25), rel=1e-6)


def test_info_entropy_stays_finite_when_a_class_underflows():
    from mmdfkd.losses import InfoEntropyLoss
    logits = torch.tensor([[200., 0., 0.], [200., 0., 1.]],
                          requires_grad=True)  # p(class 0) = 1 exactly
    loss = InfoEntropyLoss(log_base=math.e)(logits)
    loss.backward()
    assert loss.item() == pytest.approx(0.0, abs=1e-6)
    assert torch.isfinite(logits.grad).all()
