"""Shared fixtures: the mmdfkd scope and a small trained digits teacher."""
import logging
import os
import os.path as osp
import sys

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# The checkout's mmdfkd, in this process and in the tools the tests start
# (tools/*.py import the installed package, which may be older).
sys.path.insert(0, ROOT)
os.environ['PYTHONPATH'] = os.pathsep.join(
    [ROOT] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep)
              if p])

from mmdfkd.apis import register_all_modules  # noqa: E402

register_all_modules()
torch.set_num_threads(2)


@pytest.fixture(scope='session')
def root() -> str:
    return ROOT


def _train_digits_teacher(config: str, work_dir: str) -> str:
    """Train a digits teacher config (shortened); return the path of its
    plain weights."""
    from mmengine.config import Config

    from mmdfkd.engine import build_runner
    cfg = Config.fromfile(osp.join(ROOT, config))
    cfg.work_dir = work_dir
    cfg.train_cfg.max_epochs = 12
    cfg.train_cfg.val_interval = 12
    cfg.param_scheduler.T_max = 12
    cfg.default_hooks.logger.interval = 100
    cfg.launcher = 'none'
    build_runner(cfg).train()
    path = osp.join(work_dir, 'weights.pth')
    assert osp.isfile(path)
    return path


@pytest.fixture(scope='session')
def digits_teacher(tmp_path_factory) -> str:
    """The digits LeNet-5 teacher (shortened training)."""
    return _train_digits_teacher('configs/teachers/teacher_lenet5_digits.py',
                                 str(tmp_path_factory.mktemp('teacher')))


@pytest.fixture(scope='session')
def digits_bn_teacher(tmp_path_factory) -> str:
    """The digits LeNet-5 (BN) teacher of CDFKD-MFS / CGDD (shortened)."""
    return _train_digits_teacher(
        'configs/teachers/teacher_lenet5-bn_digits.py',
        str(tmp_path_factory.mktemp('teacher_bn')))


@pytest.fixture(autouse=True)
def _detach_mmengine_stream_handlers():
    """mmengine loggers live for the whole session and keep writing to the
    stream that was sys.stdout when they were made, i.e. an earlier test's
    captured output, closed by now; later logging then prints a "Logging
    error" traceback into the next test's stderr. Detach them after each
    test (their log files stay)."""
    yield
    from mmengine.logging import MMLogger
    for logger in list(MMLogger._instance_dict.values()):
        for handler in list(logger.handlers):
            if type(handler) is logging.StreamHandler:
                logger.removeHandler(handler)


#: Fixtures that train a teacher (once per session, about a minute).
TEACHER_FIXTURES = {'digits_teacher', 'digits_bn_teacher'}


def pytest_collection_modifyitems(config, items):
    """A test that needs a trained teacher is slow."""
    for item in items:
        if TEACHER_FIXTURES & set(getattr(item, 'fixturenames', ())):
            item.add_marker(pytest.mark.slow)


def pytest_configure(config):
    os.environ.setdefault('OMP_NUM_THREADS', '2')
