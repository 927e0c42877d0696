"""A kill inside a checkpoint write leaves the previous checkpoint and
``last_checkpoint`` whole, also with ``max_keep_ckpts=1``."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from mmdfkd.utils import atomic_write

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DAFL = 'configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py'

# tools/train.py whose second checkpoint write dies halfway (SIGKILL-like:
# os._exit runs no clean-up) after writing half of the bytes
DIE_IN_SECOND_SAVE = '''
import os, sys
from mmengine.fileio.backends.local_backend import LocalBackend
put, calls = LocalBackend.put, []
def dying_put(self, obj, filepath):
    calls.append(filepath)
    if len(calls) == 2:
        with open(filepath, 'wb') as f:
            f.write(obj[:len(obj) // 2])
        os._exit(137)
    return put(self, obj, filepath)
LocalBackend.put = dying_put
from mmdfkd.apis.train import main
sys.exit(main(sys.argv[1:]))
'''


def _train(script, work_dir, teacher, iters, extra=()):
    return subprocess.run(
        [sys.executable, str(script), DAFL, '--work-dir', str(work_dir),
         '--cfg-options', f'model.teacher.checkpoint={teacher}',
         f'train_cfg.max_iters={iters}', 'train_cfg.val_interval=1000',
         'default_hooks.checkpoint.interval=2',
         'default_hooks.checkpoint.max_keep_ckpts=1', *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, OMP_NUM_THREADS='1'))


@pytest.mark.parametrize('hook', ['AtomicCheckpointHook', 'CheckpointHook'])
def test_kill_inside_the_save_keeps_the_previous_checkpoint(
        hook, tmp_path, digits_teacher):
    script = tmp_path / 'train_dying.py'
    script.write_text(DIE_IN_SECOND_SAVE)
    work = tmp_path / 'work'
    proc = _train(script, work, digits_teacher, 4,
                  [f'default_hooks.checkpoint.type={hook}'])
    assert proc.returncode == 137, proc.stderr[-2000:]
    if hook == 'CheckpointHook':
        # mmengine deletes iter_2.pth before writing iter_4.pth in place:
        # the only checkpoint left is the half-written one
        assert not osp.isfile(work / 'iter_2.pth')
        with pytest.raises(Exception):
            torch.load(work / 'iter_4.pth', weights_only=False)
        return
    assert (work / 'last_checkpoint').read_text() == str(work / 'iter_2.pth')
    ckpt = torch.load(work / 'iter_2.pth', weights_only=False)
    assert ckpt['meta']['iter'] == 2
    assert not osp.exists(work / 'iter_4.pth')
    # and the run continues from it
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', DAFL, '--work-dir', str(work),
         '--resume', '--cfg-options',
         f'model.teacher.checkpoint={digits_teacher}',
         'train_cfg.max_iters=4', 'train_cfg.val_interval=1000',
         'default_hooks.checkpoint.interval=2',
         'default_hooks.checkpoint.max_keep_ckpts=1'],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'resumed' in (proc.stdout + proc.stderr).lower()
    assert torch.load(work / 'iter_4.pth',
                      weights_only=False)['meta']['iter'] == 4
    assert not osp.exists(work / 'iter_2.pth')  # deleted after the new one
    assert [f for f in os.listdir(work) if f.endswith('.tmp')] == []


def test_atomic_write_keeps_the_old_file_on_error(tmp_path):
    path = tmp_path / 'f.txt'
    path.write_text('old')
    with pytest.raises(RuntimeError):
        with atomic_write(str(path), 'w') as f:
            f.write('half')
            raise RuntimeError('killed')
    assert path.read_text() == 'old'
    assert os.listdir(tmp_path) == ['f.txt']
    with atomic_write(str(path), 'w') as f:
        f.write('new')
    assert path.read_text() == 'new'
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)
