"""weights_only everywhere except the run's own checkpoints."""
import argparse
import collections
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader

from mmdfkd.engine import trusted_checkpoints
from mmdfkd.models import load_state_dict_safely
from mmdfkd.utils import DFKDInputError

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture
def unsafe(tmp_path):
    path = tmp_path / 'unsafe.pth'
    torch.save(dict(state_dict=collections.OrderedDict(w=torch.ones(2)),
                    extra=argparse.Namespace(x=1)), path)
    return str(path)


def test_local_loads_refuse_pickles_unless_trusted(unsafe):
    with pytest.raises(DFKDInputError, match='refusing to unpickle'):
        CheckpointLoader.load_checkpoint(unsafe, map_location='cpu')
    with trusted_checkpoints():
        ckpt = CheckpointLoader.load_checkpoint(unsafe, map_location='cpu')
    assert ckpt['extra'].x == 1
    with pytest.raises(DFKDInputError):  # trust does not leak out
        CheckpointLoader.load_checkpoint(unsafe, map_location='cpu')


def test_teacher_state_dict_loading(tmp_path, unsafe):
    plain = tmp_path / 'plain.pth'
    torch.save({'state_dict': {'module.a': torch.ones(1)}}, plain)
    assert list(load_state_dict_safely(str(plain))) == ['a']
    with pytest.raises(DFKDInputError, match='extract_weights.py'):
        load_state_dict_safely(unsafe)
    with pytest.raises(DFKDInputError, match='not found'):
        load_state_dict_safely(str(tmp_path / 'missing.pth'))
    (tmp_path / 'junk.pth').write_text('not a checkpoint')
    with pytest.raises(DFKDInputError):
        load_state_dict_safely(str(tmp_path / 'junk.pth'))


def test_unreachable_url_names_the_offline_fix(monkeypatch, tmp_path):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    with pytest.raises(DFKDInputError, match='hub/checkpoints/t.pth'):
        load_state_dict_safely('http://127.0.0.1:9/t.pth')


def test_url_weights_cached_by_hand_are_used_offline(monkeypatch, tmp_path):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    (tmp_path / 'hub' / 'checkpoints').mkdir(parents=True)
    torch.save({'w': torch.arange(3.)},
               tmp_path / 'hub' / 'checkpoints' / 'offline.pth')
    state = load_state_dict_safely('https://example.invalid/x/offline.pth')
    assert torch.equal(state['w'], torch.arange(3.))


def test_extract_weights_tool(tmp_path, unsafe):
    out = tmp_path / 'out.pth'
    proc = subprocess.run(
        [sys.executable, 'tools/model_converters/extract_weights.py', unsafe,
         str(out)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert torch.equal(load_state_dict_safely(str(out))['w'], torch.ones(2))


def test_extract_weights_of_one_module(tmp_path):
    from mmdfkd.apis.extract_weights import main
    src = tmp_path / 'run.pth'
    torch.save(dict(state_dict={'student.module.fc.w': torch.ones(2),
                                'teacher.fc.w': torch.zeros(2)},
                    message_hub=argparse.Namespace(x=1)), src)
    out = tmp_path / 'student.pth'
    assert main([str(src), str(out), '--module', 'student']) == 0
    assert list(load_state_dict_safely(str(out))) == ['fc.w']
    assert main([str(src), str(out), '--module', 'generator']) == 1


def test_zoo_teacher_is_built_and_loaded_strictly(monkeypatch, tmp_path):
    """A zoo name resolves to mmpretrain's architecture and published URL;
    the file is taken from the torch hub cache (put there by hand)."""
    from mmpretrain.apis import ModelHub

    from mmdfkd.models import build_teacher
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    name = 'resnet18_8xb16_cifar10'
    url = ModelHub.get(name).weights
    teacher = build_teacher(dict(model=name, init_random=True))
    (tmp_path / 'hub' / 'checkpoints').mkdir(parents=True)
    torch.save({'meta': {'CLASSES': ['a'] * 10},
                'state_dict': teacher.state_dict()},
               tmp_path / 'hub' / 'checkpoints' / osp.basename(url))
    loaded = build_teacher(dict(model=name))
    assert not loaded.training
    assert all(not p.requires_grad for p in loaded.parameters())
    for k, v in teacher.state_dict().items():
        assert torch.equal(v, loaded.state_dict()[k])
    # the same through an mmpretrain:: config path
    by_cfg = build_teacher(
        dict(model='mmpretrain::resnet/resnet18_8xb16_cifar10.py'))
    assert by_cfg.head.fc.out_features == 10


def test_mmdfkd_configs_can_be_inherited_by_another_project(tmp_path):
    """Needs mmdfkd installed as a package (tools/install.sh)."""
    cfg = tmp_path / 'mine.py'
    cfg.write_text("_base_ = 'mmdfkd::dafl/"
                   "dafl_lenet5_lenet5-half_1xb128-2k_digits.py'\n"
                   "train_cfg = dict(max_iters=7)\n")
    code = ('import mmdfkd; from mmengine.config import Config; '
            f"c = Config.fromfile('{cfg}'); "
            'print(c.model.type, c.train_cfg.max_iters)')
    proc = subprocess.run([sys.executable, '-c', code], cwd=str(tmp_path),
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ['DAFL', '7']
