"""The README's headline command, as written, on CPU: two gloo ranks of
CGDD ResNet-34 -> ResNet-18 on a tiny CIFAR-100-format test split written
here, with a random teacher; and without the teacher one error line, last."""
import os
import os.path as osp
import pickle
import subprocess

import numpy as np
import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
HEADLINE = 'configs/cgdd/resnet34_resnet18_cifar100.py'


def _tiny_cifar100(root, n=24):
    folder = root / 'cifar-100-python'
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for split in ('train', 'test'):
        with open(folder / split, 'wb') as f:
            pickle.dump(dict(data=rng.integers(0, 256, (n, 3072),
                                               dtype=np.uint8),
                             fine_labels=list(rng.integers(0, 100, n))), f)
    with open(folder / 'meta', 'wb') as f:
        pickle.dump(dict(fine_label_names=[f'c{i}' for i in range(100)]), f)
    return str(root)


def _dist_train(args, port):
    env = dict(os.environ, OMP_NUM_THREADS='1', PORT=str(port),
               PYTHONPATH=f'{ROOT}:{osp.join(ROOT, "tests")}')
    return subprocess.run(['bash', 'tools/dist_train.sh', HEADLINE, '2'] +
                          args, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)


@pytest.mark.dist
def test_headline_command_on_two_cpu_ranks(tmp_path):
    from mmengine.config import Config

    from mmdfkd.registry import MODELS
    cfg = Config.fromfile(osp.join(ROOT, HEADLINE))
    teacher = tmp_path / 'teacher.pth'
    torch.save(MODELS.build(cfg.model.teacher.model).state_dict(), teacher)
    data = _tiny_cifar100(tmp_path / 'cifar100')
    common = [
        f'val_dataloader.dataset.data_root={data}',
        'val_dataloader.num_workers=0', 'train_dataloader.batch_size=4',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.teacher_check.min_top1=0',  # a random teacher
        'custom_imports.imports=[cifar_probe]',
        'custom_imports.allow_failed_imports=False']
    work = tmp_path / 'work'
    port = 29500 + os.getpid() % 1000
    proc = _dist_train(['--work-dir', str(work), '--cfg-options',
                        f'model.teacher.checkpoint={teacher}'] + common,
                       port)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert osp.isfile(work / 'iter_2.pth')
    assert osp.isfile(work / 'student.pth')

    # without the teacher: the one error line, once, as the last line
    proc = _dist_train(['--work-dir', str(tmp_path / 'none'),
                        '--cfg-options'] + common, port + 1)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    errors = [ln for ln in lines if ln.startswith('mmdfkd error:')]
    assert errors == [lines[-1]]
    assert 'teacher checkpoint not found' in lines[-1]
