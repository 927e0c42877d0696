"""Teachers of one architecture stacked into one network: the same outputs,
BN statistics and input gradients as the teachers one by one, and a
fallback to one group per teacher whenever stacking would be wrong."""
import copy

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config

from mmdfkd.models.teacher_group import (TeacherGroup, group_teachers,
                                         image_reader)
from mmdfkd.registry import MODELS
from mmdfkd.utils import BNStatsRecorder

LENET = Config.fromfile('configs/_base_/models/lenet5.py')
RESNET = dict(
    _scope_='mmpretrain', type='ImageClassifier',
    backbone=dict(type='ResNet_CIFAR', depth=18, in_channels=3,
                  base_channels=8),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=10, in_channels=64))


def _teachers(cfg, num=3, channels_last=False):
    """``num`` frozen teachers of one architecture, different weights and
    BN running statistics."""
    teachers = []
    for seed in range(num):
        torch.manual_seed(seed)
        teacher = MODELS.build(copy.deepcopy(cfg))
        for m in teacher.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.normal_()
                m.running_var.uniform_(0.5, 2.0)
                m.weight.data.uniform_(0.5, 1.5)
                m.bias.data.normal_()
        teacher.eval().requires_grad_(False)
        if channels_last:
            teacher.to(memory_format=torch.channels_last)
        teachers.append(teacher)
    return teachers


def _bn_statistics(teacher, images):
    with BNStatsRecorder(teacher) as rec:
        logits = teacher(images)
    return logits, rec.statistics()


@pytest.mark.parametrize('cfg,channels,entry', [
    (LENET.lenet5_bn, 1, 'backbone.features.0'),
    (RESNET, 3, 'backbone.conv1'),
])
@pytest.mark.parametrize('channels_last', [False, True])
def test_stacked_group_computes_each_teacher(cfg, channels, entry,
                                             channels_last):
    teachers = _teachers(cfg, channels_last=channels_last)
    images = torch.randn(8, channels, 32, 32)
    assert image_reader(teachers[0], images) == entry
    (group, ) = group_teachers(teachers, images)
    assert group.stacked and group.num_members == 3 and group.entry == entry

    x = images.clone().requires_grad_()
    with group.recorder() as rec:
        stacked_logits = group(x)
    per_member = group.statistics(rec)
    loss = sum((lg * torch.arange(10.)).sum() for lg in stacked_logits)
    (grad_stacked, ) = torch.autograd.grad(loss, x)

    x_ref = images.clone().requires_grad_()
    loss_ref = 0
    for teacher, logits, stats in zip(teachers, stacked_logits, per_member):
        ref_logits, ref_stats = _bn_statistics(teacher, x_ref)
        torch.testing.assert_close(logits, ref_logits, rtol=1e-4,
                                   atol=1e-5)
        for kind, ref_kind in zip(stats, ref_stats):  # means, vars, ...
            assert len(kind) == len(ref_kind) > 0
            for a, b in zip(kind, ref_kind):
                torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
        loss_ref = loss_ref + (ref_logits * torch.arange(10.)).sum()
    (grad_ref, ) = torch.autograd.grad(loss_ref, x_ref)
    torch.testing.assert_close(grad_stacked, grad_ref, rtol=1e-4, atol=1e-5)

    logits, feats = group.outputs(images)
    for teacher, lg, ft in zip(teachers, logits, feats):
        f = teacher.extract_feat(images)
        torch.testing.assert_close(lg, teacher.head(f), rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(ft, f[-1], rtol=1e-4, atol=1e-5)


def test_stacking_leaves_the_teachers_and_their_hooks_alone():
    teachers = _teachers(LENET.lenet5_bn)
    before = [copy.deepcopy(t.state_dict()) for t in teachers]
    calls = []
    teachers[0].backbone.features[1].register_forward_hook(
        lambda *_: calls.append(1))
    images = torch.randn(4, 1, 32, 32)
    calls.clear()
    (group, ) = group_teachers(teachers, images)
    calls.clear()
    group(images)
    assert calls == []  # the hook of teacher 0's BN is not copied
    for teacher, sd in zip(teachers, before):
        for k, v in teacher.state_dict().items():
            assert torch.equal(v, sd[k]), k
    stacked_bn = group.network.backbone.features[1]
    assert stacked_bn is not teachers[0].backbone.features[1]
    assert stacked_bn.num_features == 3 * 6
    assert not any(p.requires_grad for p in group.parameters())


def test_different_architectures_run_one_by_one():
    teachers = [_teachers(LENET.lenet5_bn, 1)[0],
                _teachers(LENET.lenet5, 1)[0]]
    groups = group_teachers(teachers, torch.randn(4, 1, 32, 32))
    assert [g.stacked for g in groups] == [False, False]
    assert [g.network for g in groups] == teachers


class _ChannelFlip(nn.Module):
    """A parameter-free layer that mixes channels: stacking would swap the
    teachers' blocks, which the check on real images must catch."""

    def forward(self, x):
        return x.flip(1)


def test_a_layer_that_mixes_channels_is_caught_by_the_check():
    teachers = _teachers(LENET.lenet5_bn)
    for t in teachers:  # after the first ReLU
        t.backbone.features[2] = nn.Sequential(t.backbone.features[2],
                                               _ChannelFlip())
    images = torch.randn(4, 1, 32, 32)
    groups = group_teachers(teachers, images)
    assert [g.stacked for g in groups] == [False] * 3


def test_a_second_reader_of_the_images_falls_back_to_repeated_input():
    """With the images read twice, the first convolution may not take them
    once: the stacked network gets one copy per teacher instead."""
    teachers = _teachers(LENET.lenet5_bn)

    class TwoReaders(nn.Module):
        def __init__(self, conv):
            super().__init__()
            self.conv, self.skip = conv, nn.Identity()

        def forward(self, x):
            return self.conv(x) + self.skip(x).mean()

    for t in teachers:
        t.backbone.features[0] = TwoReaders(t.backbone.features[0])
    images = torch.randn(4, 1, 32, 32)
    assert image_reader(teachers[0], images) is None
    (group, ) = group_teachers(teachers, images)
    assert group.stacked and group.entry is None


def test_no_stacking_when_asked_or_alone():
    teachers = _teachers(LENET.lenet5_bn)
    images = torch.randn(4, 1, 32, 32)
    assert [g.stacked for g in group_teachers(teachers, images,
                                              stack=False)] == [False] * 3
    assert [g.stacked for g in group_teachers(teachers[:1], images)] == [
        False]
    with pytest.raises(ValueError, match='one teacher'):
        TeacherGroup(teachers, stacked=False)


def test_what_the_stacked_copy_would_miss_keeps_teachers_apart():
    """A forward hook on a teacher (the stacked copy has none) and a layer
    setting that differs between teachers are not stacked."""
    images = torch.randn(4, 1, 32, 32)
    teachers = _teachers(LENET.lenet5_bn)
    teachers[1].register_forward_hook(lambda m, i, out: out * 2)
    assert [g.stacked for g in group_teachers(teachers, images)] == [
        False] * 3
    teachers = _teachers(LENET.lenet5_bn)
    teachers[2].backbone.features[1].eps = 1e-3
    assert [g.stacked for g in group_teachers(teachers, images)] == [
        False] * 3
