"""CGDD end to end: the CIFAR-100 config through tools/train.py with a local
random teacher, and tools/generate.py."""
import copy
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image

from mmdfkd.apis import generate as generate_tool
from mmdfkd.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CIFAR_CGDD = osp.join(ROOT, 'configs/cgdd/resnet34_resnet18_cifar100.py')
DIGITS_CGDD = osp.join(
    ROOT, 'configs/cgdd/cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py')


def _random_weights(model_cfg, path):
    torch.manual_seed(0)
    torch.save(MODELS.build(copy.deepcopy(model_cfg)).state_dict(), path)
    return str(path)


@pytest.mark.slow
def test_cifar100_config_runs_its_first_iterations(tmp_path):
    """The user's command, `tools/train.py configs/cgdd/resnet34_resnet18_
    cifar100.py`, with local teacher weights (random, made here). CIFAR-100
    cannot be downloaded here, so a few local images stand in for its test
    split, and the batch is shrunk for the CPU; networks, generator, losses
    and optimisers are the config's."""
    cfg = Config.fromfile(CIFAR_CGDD)
    teacher = _random_weights(cfg.model.teacher.model, tmp_path / 't.pth')
    data = tmp_path / 'images'
    rng = np.random.default_rng(0)
    for k in range(2):
        os.makedirs(data / f'class{k}')
        for i in range(2):
            Image.fromarray(rng.integers(0, 255, (32, 32, 3), np.uint8)).save(
                data / f'class{k}' / f'{i}.png')
    override = tmp_path / 'cifar100_local.py'
    override.write_text(f"""
_base_ = [{CIFAR_CGDD!r}]
model = dict(teacher=dict(checkpoint={teacher!r}))
train_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False)
val_dataloader = dict(
    batch_size=4, num_workers=0,
    dataset=dict(_delete_=True, type='mmpretrain.CustomDataset',
                 data_root={str(data)!r},
                 pipeline=[dict(type='mmpretrain.LoadImageFromFile'),
                           dict(type='mmpretrain.PackInputs')]))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=2, val_interval=2)
default_hooks = dict(teacher_check=dict(min_top1=0.0),
                     synthetic=dict(interval=2), logger=dict(interval=1),
                     checkpoint=dict(interval=2))
""")
    work = tmp_path / 'work'
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', str(override), '--work-dir',
         str(work)], cwd=ROOT, capture_output=True, text=True, timeout=900,
        env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = open(next(p for p in (work.glob('*/*.log')))).read()
    assert 'Iter(train) [2/2]' in log and 'gen.loss_label' in log
    assert 'stu.loss_feat' in log  # AT on stages 1 and 2
    assert osp.isfile(work / 'generator.pth')
    assert osp.isfile(work / 'synthetic' / 'iter_2.png')


@pytest.fixture
def digits_run(tmp_path):
    """A (random) CGDD digits generator and teacher on disk."""
    cfg = Config.fromfile(DIGITS_CGDD)
    teacher = _random_weights(cfg.model.teacher.model, tmp_path / 't.pth')
    generator = _random_weights(cfg.model.generator, tmp_path / 'g.pth')
    return teacher, generator


def test_generate_writes_pngs_grid_and_fidelity(tmp_path, digits_run,
                                                capsys):
    teacher, generator = digits_run
    out = tmp_path / 'out'
    assert generate_tool.main([
        DIGITS_CGDD, generator, '--class', '3', '7', '--num', '5', '--out',
        str(out), '--cfg-options', f'model.teacher.checkpoint={teacher}'
    ]) == 0
    for k in (3, 7):
        assert len(os.listdir(out / f'class_{k}')) == 5
        assert osp.isfile(out / f'class_{k}.png')
    result = json.load(open(out / 'fidelity.json'))
    assert set(result['classes']) == {'3', '7'}
    assert all(0 <= v <= 100 for v in result['classes'].values())
    assert 'teacher agrees on' in capsys.readouterr().out


def test_generate_bad_input(tmp_path, digits_run, capsys):
    teacher, generator = digits_run
    base = [DIGITS_CGDD]
    opts = ['--out', str(tmp_path / 'o'), '--cfg-options',
            f'model.teacher.checkpoint={teacher}']
    assert generate_tool.main(base + [str(tmp_path / 'none.pth')] + opts) == 1
    assert 'generator checkpoint not found' in capsys.readouterr().err
    assert generate_tool.main(base + [generator, '--class', '10'] + opts) == 1
    assert 'class 10 is out of range' in capsys.readouterr().err
    assert generate_tool.main(
        base + [generator] + opts + ['model.generator.condition=none']) == 1
    assert 'not class-conditional' in capsys.readouterr().err
    assert generate_tool.main(
        base + [generator] + opts +
        ['model.generator.num_classes=5']) == 1
    assert 'does not fit the generator' in capsys.readouterr().err
    assert generate_tool.main(base + [generator, '--num', '0'] + opts) == 1
    assert 'must be positive' in capsys.readouterr().err
    corrupt = tmp_path / 'corrupt.pth'
    corrupt.write_bytes(b'not a checkpoint')
    assert generate_tool.main(base + [str(corrupt)] + opts) == 1
    assert f'{corrupt} is not a readable PyTorch' in capsys.readouterr().err
    assert not osp.exists(tmp_path / 'o')  # nothing written on bad input


def test_generate_reads_an_iter_checkpoint_of_the_run(tmp_path, digits_run):
    """An iter_*.pth holds the whole algorithm (``generator.*`` keys) and
    Python objects (mmengine's message hub); inside the run's work_dir (the
    user's own output) it is unpickled in full and gives the same images as
    the plain generator weights; elsewhere only with --trust-checkpoint."""
    import argparse
    teacher, generator = digits_run
    weights = torch.load(generator, weights_only=True)
    state = {f'generator.{k}': v for k, v in weights.items()}
    state['student.fc.weight'] = torch.zeros(2, 2)
    run = tmp_path / 'run'
    run.mkdir()
    iter_ckpt = run / 'iter_5.pth'
    torch.save(dict(state_dict=state, message_hub=argparse.Namespace(x=1)),
               iter_ckpt)
    opts = ['--cfg-options', f'model.teacher.checkpoint={teacher}',
            f'work_dir={run}']
    grids = []
    for ckpt, out in ((generator, tmp_path / 'plain'),
                      (str(iter_ckpt), tmp_path / 'iter')):
        assert generate_tool.main([
            DIGITS_CGDD, ckpt, '--class', '4', '--num', '3', '--out',
            str(out)] + opts) == 0
        grids.append((out / 'class_4.png').read_bytes())
    assert grids[0] == grids[1]
    outside = tmp_path / 'copy.pth'
    outside.write_bytes(iter_ckpt.read_bytes())
    argv = [DIGITS_CGDD, str(outside), '--num', '1', '--out',
            str(tmp_path / 'o')] + opts
    assert generate_tool.main(argv) == 1
    assert generate_tool.main(argv + ['--trust-checkpoint']) == 0
