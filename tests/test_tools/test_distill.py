"""tools/distill.py offline: zoo names whose weights sit in the torch hub
cache, a short Fast run without validation data (agreement on synthetic
images), and the --dry-run config trains with tools/train.py."""
import os.path as osp

import pytest
import torch

from mmdfkd.apis import distill as distill_tool
from mmdfkd.apis import train as train_tool

TEACHER = STUDENT = 'resnet18_8xb16_cifar10'
SMALL = [  # a few seconds on a CPU
    'model.synthesizer.batch_size=4', 'model.synthesizer.iterations=1',
    'model.batch_size=4', 'model.kd_steps=2', 'model.warmup_rounds=1',
    'model.image_pool.capacity=64', 'model.synthesizer.generator.'
    'base_channels=8', 'default_hooks.logger.interval=1']


@pytest.fixture
def zoo_cache(monkeypatch, tmp_path):
    """The teacher's published weights (random ones) in the hub cache."""
    from mmpretrain.apis import ModelHub

    from mmdfkd.models import build_teacher
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch'))
    url = ModelHub.get(TEACHER).weights
    teacher = build_teacher(dict(model=TEACHER, init_random=True))
    cache = tmp_path / 'torch' / 'hub' / 'checkpoints'
    cache.mkdir(parents=True)
    torch.save({'state_dict': teacher.state_dict()},
               cache / osp.basename(url))


def test_distill_resolves_the_teacher(zoo_cache):
    cfg = distill_tool.distill_config(TEACHER, STUDENT, 'fast')
    assert cfg.model.teacher.model == TEACHER
    assert cfg.model.synthesizer.num_classes == 10
    assert cfg.model.data_preprocessor.mean == [125.307, 122.961, 113.8575]
    assert cfg.model.synthesizer.image_size == (3, 32, 32)
    assert cfg.val_dataloader is None  # no --val-data: agreement instead
    cgdd = distill_tool.distill_config(TEACHER, STUDENT, 'cgdd')
    assert cgdd.model.generator.num_classes == 10  # preset was CIFAR-100
    assert cgdd.model.student.head.num_classes == 10


def test_distill_runs_and_its_dry_run_trains(zoo_cache, tmp_path, capsys):
    work = tmp_path / 'run'
    assert distill_tool.main([
        TEACHER, '--student', STUDENT, '--method', 'fast', '--iters', '4',
        '--work-dir', str(work), '--cfg-options', *SMALL]) == 0
    log = capsys.readouterr().out
    assert 'agreement on 256 synthetic images' in log
    assert osp.isfile(work / 'student.pth')
    assert osp.isfile(work / 'distill_config.py')
    # --dry-run prints the config, which tools/train.py runs as it is
    assert distill_tool.main([
        TEACHER, '--student', STUDENT, '--method', 'fast', '--iters', '4',
        '--dry-run', '--cfg-options', *SMALL]) == 0
    printed = tmp_path / 'printed.py'
    printed.write_text(capsys.readouterr().out)
    assert train_tool.main([str(printed), '--work-dir',
                            str(tmp_path / 'again')]) == 0
    assert osp.isfile(tmp_path / 'again' / 'iter_4.pth')


def test_distill_bad_input(capsys):
    assert distill_tool.main(['teacher.pth', '--student', STUDENT,
                              '--method', 'fast']) == 1
    assert 'carries no architecture' in capsys.readouterr().err
    assert distill_tool.main(['resnet18_cifar11', '--student', STUDENT,
                              '--method', 'fast']) == 1
    assert 'not in the mmpretrain zoo' in capsys.readouterr().err


def test_get_started_teacher_override_replaces_the_teacher(tmp_path):
    """docs/get_started.md step 3: `_delete_=True` replaces the inherited
    teacher dict; without it mmengine merges the new model dict into the
    old one (the LeNet head would stay)."""
    from mmengine.config import Config
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    base = f'{root}/configs/fast/fast-5_lenet5-bn_lenet5-half_digits.py'
    new = ("dict(type='mmpretrain.ImageClassifier', "
           "backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18))")
    teachers = []
    for delete in ('_delete_=True, ', ''):
        cfg_file = tmp_path / f'mine{len(teachers)}.py'
        cfg_file.write_text(
            f"_base_ = ['{base}']\nmodel = dict(teacher=dict({delete}"
            f"model={new}, checkpoint='teacher.pth'))\n")
        teachers.append(Config.fromfile(str(cfg_file)).model.teacher)
    assert set(teachers[0]) == {'model', 'checkpoint'}
    assert 'head' not in teachers[0].model
    assert 'head' in teachers[1].model  # merged: why the docs say _delete_
