import os
import sys
from types import SimpleNamespace
from unittest import mock

import pytest
import torch

from mmdfkd.hooks import SampleDiversityHook
from mmdfkd.registry import MODELS

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..',
                                'test_algorithms'))
from helpers import dafl_cfg, random_teacher_ckpt  # noqa: E402


class OneClassTeacher(torch.nn.Module):
    """Logits that put every image in class ``k`` with confidence ~0.9."""

    def __init__(self, k=3, num_classes=10):
        super().__init__()
        self.k, self.num_classes = k, num_classes

    def forward(self, x):
        logits = torch.zeros(x.size(0), self.num_classes)
        logits[:, self.k] = 5.0
        return logits


@pytest.fixture
def model(tmp_path):
    m = MODELS.build(dafl_cfg(random_teacher_ckpt(tmp_path / 't.pth')))
    m.train()
    return m


def runner_for(model, it=499, max_iters=1000):
    return SimpleNamespace(
        model=model, iter=it, max_iters=max_iters,
        visualizer=mock.MagicMock(), logger=mock.MagicMock(),
        message_hub=mock.MagicMock())


def test_collapsed_images_log_a_warning_with_a_hint(model):
    model.frozen_teachers = lambda: dict(teacher=OneClassTeacher())
    runner = runner_for(model)
    with mock.patch(
            'mmdfkd.hooks.sample_diversity_hook.print_log') as log:
        SampleDiversityHook(interval=500).after_train_iter(runner, 0)
    message = log.call_args[0][0]
    assert 'collapsed' in message and '100%' in message
    assert 'Hint:' in message and log.call_args[1]['level'] == 30
    logged = {c[0][0]: c[0][1]
              for c in runner.message_hub.update_scalar.call_args_list}
    assert logged['diversity/class_entropy'] == 0.0
    assert logged['diversity/max_class_fraction'] == 1.0
    assert logged['diversity/teacher_confidence'] == pytest.approx(
        torch.tensor([5.0] + [0.0] * 9).softmax(0)[0].item(), rel=1e-5)


def test_only_checks_at_its_interval_and_at_the_end(model):
    model.frozen_teachers = lambda: dict(teacher=OneClassTeacher())
    hook = SampleDiversityHook(interval=500)
    with mock.patch(
            'mmdfkd.hooks.sample_diversity_hook.print_log') as log:
        hook.after_train_iter(runner_for(model, it=10), 0)
        assert not log.called
        hook.after_train_iter(runner_for(model, it=999), 0)  # last
        assert log.called


def test_balanced_confident_images_give_no_warning():
    hook = SampleDiversityHook()
    healthy = dict(class_entropy=0.98, max_class_fraction=0.14,
                   teacher_confidence=0.9, num_classes=10)
    assert hook.verdict(healthy, late=True) is None
    noise = dict(healthy, teacher_confidence=0.12)  # near chance (0.1)
    assert hook.verdict(noise, late=False) is None  # early: still learning
    assert 'chance 0.10' in hook.verdict(noise, late=True)


class NoZeroTeacher(torch.nn.Module):
    """Spreads images over classes 1..9 (by their mean pixel), never 0."""

    def forward(self, x):
        bins = (x.flatten(1).mean(1).argsort().argsort() % 9) + 1
        return torch.nn.functional.one_hot(bins, 10).float() * 5.0


def test_a_class_without_images_is_warned_about_late_in_the_run(model):
    # entropy ln 9 / ln 10 = 0.95 passes the collapse check: only the
    # missing-class check can see that the student is never shown a 0
    model.frozen_teachers = lambda: dict(teacher=NoZeroTeacher())
    hook = SampleDiversityHook(interval=500)
    for it, warned in ((499, False), (999, True)):  # of 2,000 iterations
        runner = runner_for(model, it=it, max_iters=2000)
        with mock.patch(
                'mmdfkd.hooks.sample_diversity_hook.print_log') as log:
            hook.after_train_iter(runner, 0)
        assert log.called == warned
        info = runner.logger.info.call_args[0][0]
        assert info.endswith('no image of class 0')
        assert 'entropy 0.95' in info
    message = log.call_args[0][0]
    assert 'none of 256 synthetic images in class 0 (1 of 10' in message
    assert 'Hint:' in message and log.call_args[1]['level'] == 30


def test_missing_classes_need_enough_images_per_class():
    hook = SampleDiversityHook()
    stats = dict(class_entropy=0.95, max_class_fraction=0.12,
                 teacher_confidence=0.9, num_classes=10, num_images=256,
                 missing_classes=[0])
    assert 'class 0 ' in hook.verdict(stats, late=True)
    assert hook.verdict(stats, late=False) is None
    # 64 images of 10 classes (6.4 each): an empty class can be chance
    assert hook.verdict(dict(stats, num_images=64), late=True) is None
    assert 'class 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ... (12 of 100' in \
        hook.verdict(dict(stats, num_classes=100, num_images=1000,
                          missing_classes=list(range(12))), late=True)


def test_measure_leaves_the_run_untouched(model):
    gen_state = {k: v.clone() for k, v in model.generator.state_dict().items()}
    rng_state = torch.get_rng_state()
    stats = SampleDiversityHook(num_images=64).measure(runner_for(model))
    assert torch.equal(torch.get_rng_state(), rng_state)
    for k, v in model.generator.state_dict().items():
        assert torch.equal(v, gen_state[k]), k
    assert model.generator.training
    assert 0.0 <= stats['class_entropy'] <= 1.0 + 1e-9
    # the same seed gives the same numbers
    assert SampleDiversityHook(num_images=64).measure(
        runner_for(model)) == stats


def test_a_run_with_the_hook_equals_one_without(tmp_path):
    """Three DAFL steps with a check after each (train-mode samples) give
    bit-identical weights and BN buffers to the same steps without it."""
    from mmengine.optim import build_optim_wrapper

    from helpers import OPTIM
    ckpt = random_teacher_ckpt(tmp_path / 't.pth')
    data = [dict(inputs=torch.randn(8, 16,
                                    generator=torch.Generator().manual_seed(i)))
            for i in range(3)]
    states = []
    for with_hook in (True, False):
        torch.manual_seed(0)
        model = MODELS.build(dafl_cfg(ckpt))
        model.train()
        optim = build_optim_wrapper(model, dict(OPTIM))
        hook = SampleDiversityHook(interval=1, num_images=12)
        for it, batch in enumerate(data):
            model.train_step(batch, optim)
            if with_hook:
                hook.after_train_iter(runner_for(model, it=it, max_iters=3),
                                      it)
        states.append({k: v.clone() for k, v in model.state_dict().items()})
        states[-1]['rng'] = torch.get_rng_state()
    for key, value in states[0].items():
        assert torch.equal(value, states[1][key]), key
