import os
import sys
from types import SimpleNamespace
from unittest import mock

import pytest
import torch

from mmdfkd.hooks import SyntheticImageHook, TeacherCheckHook
from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..',
                                'test_algorithms'))
from helpers import dafl_cfg, random_teacher_ckpt  # noqa: E402


@pytest.fixture
def model(tmp_path):
    cfg = dafl_cfg(random_teacher_ckpt(tmp_path / 't.pth'))
    cfg['data_preprocessor'] = dict(
        type='DFKDDataPreprocessor', mean=[100.0], std=[50.0])
    m = MODELS.build(cfg)
    m.train()
    return m


def fake_runner(model, tmp_path, val=()):
    return SimpleNamespace(
        model=model, work_dir=str(tmp_path), iter=9, rank=0,
        train_dataloader=SimpleNamespace(
            dataset=SimpleNamespace(latent_dim=16)),
        val_dataloader=list(val), val_loop=object(),
        visualizer=mock.MagicMock(),
        logger=mock.MagicMock(), message_hub=mock.MagicMock())


def test_synthetic_image_hook_saves_grid_without_touching_bn(model,
                                                             tmp_path):
    before = {k: v.clone() for k, v in model.generator.state_dict().items()}
    runner = fake_runner(model, tmp_path)
    path = SyntheticImageHook(num_images=16).save_grid(runner)
    assert path.endswith('synthetic/iter_10.png') and os.path.isfile(path)
    for k, v in model.generator.state_dict().items():
        assert torch.equal(v, before[k]), k
    assert model.generator.training
    name, image = runner.visualizer.add_image.call_args[0]
    assert name == 'synthetic' and image.dtype.name == 'uint8'
    assert image.shape[2] == 3


def _val_batches(n=2):
    from mmpretrain.structures import DataSample
    return [dict(inputs=[torch.randint(0, 255, (1, 32, 32),
                                       dtype=torch.uint8)
                         for _ in range(4)],
                 data_samples=[DataSample().set_gt_label(i % 10)
                               for i in range(4)]) for _ in range(n)]


def test_teacher_check_hook_measures_and_enforces_the_floor(model,
                                                            tmp_path):
    torch.manual_seed(0)
    batches = _val_batches()
    runner = fake_runner(model, tmp_path, batches)
    hook = TeacherCheckHook(min_top1=0.0)
    hook.before_train(runner)
    acc = hook.teacher_top1['teacher']
    # the same number by hand: normalise, run the teacher, count hits
    hits = total = 0
    for batch in batches:
        x = (torch.stack(batch['inputs']).float() - 100.0) / 50.0
        labels = torch.cat([s.gt_label for s in batch['data_samples']])
        hits += (model.teacher(x).argmax(1) == labels).sum().item()
        total += len(labels)
    assert acc == pytest.approx(100.0 * hits / total)
    # the reference and the chance level of StudentCheckHook
    runner.message_hub.update_info.assert_any_call('teacher_top1', acc)
    runner.message_hub.update_info.assert_any_call('reference_top1', acc)
    runner.message_hub.update_info.assert_any_call('num_classes', 10)
    hook.after_val_epoch(runner, {})
    runner.message_hub.update_scalar.assert_called_with('val/teacher_top1',
                                                        acc)
    with pytest.raises(DFKDInputError, match='below the floor'):
        TeacherCheckHook(min_top1=100.1).before_train(runner)


def test_finite_loss_hook_stops_on_nan_only():
    from mmdfkd.hooks import FiniteLossHook
    runner = SimpleNamespace(iter=41)
    hook = FiniteLossHook()
    hook.after_train_iter(runner, 0, outputs={
        'gen.loss': torch.tensor(-3.0), 'stu.loss_kd': torch.tensor(0.5),
        'gen.acc': torch.tensor(float('nan'))})  # not a loss: ignored
    with pytest.raises(DFKDInputError, match=r'iteration 42: stu.loss_kd=nan'):
        hook.after_train_iter(runner, 0, outputs={
            'gen.loss': torch.tensor(1.0),
            'stu.loss_kd': torch.tensor(float('nan'))})


def test_teacher_check_is_skipped_without_validation(model, tmp_path):
    runner = fake_runner(model, tmp_path)
    runner.val_loop = None
    TeacherCheckHook(min_top1=99.0).before_train(runner)
    runner.logger.warning.assert_called_once()
