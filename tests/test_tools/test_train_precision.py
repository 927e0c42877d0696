"""tools/train.py precision switches: the config's default (bfloat16 where
native), --amp (forced mixed precision) and --no-amp (float32)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper, build_optim_wrapper

import mmdfkd.optim.autocast_optim_wrapper as aow
from mmdfkd.apis import train as train_tool
from mmdfkd.optim import AutocastOptimWrapper
from mmdfkd.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

CONFIGS = [
    'configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py',
    'configs/dfad/dfad_lenet5_lenet5-half_1xb128-1k_digits.py',
    'configs/rdskd/rdskd_generator_lenet5_1xb256-600_digits.py',
    'configs/rdskd/rdskd_student_lenet5_lenet5-half_1xb256-2k_digits.py',
    'configs/cdfkd_mfs/cdfkd-mfs_3xlenet5_mh-lenet5-half_1xb64-300_digits.py',
]


def wrappers(config, *flags):
    """The optim wrappers tools/train.py builds for ``config``."""
    cfg = train_tool.merge_args(
        Config.fromfile(osp.join(ROOT, config)),
        train_tool.parse_args([config, *flags]))
    model = cfg.model
    for t in ([model.teacher] if 'teacher' in model else
              list(model.teachers.values())):
        t.init_random = True
    if 'generator_checkpoint' in model:
        model.update(generator_checkpoint=None, init_random=True)
    return build_optim_wrapper(MODELS.build(model), cfg.optim_wrapper)


@pytest.mark.parametrize('config', CONFIGS)
def test_no_amp_gives_plain_float32_wrappers(config):
    optim = wrappers(config, '--no-amp')
    assert list(optim.keys())
    for name, wrapper in optim.items():
        assert type(wrapper) is OptimWrapper, name
        # the other defaults stay: fused optimizers
        assert wrapper.optimizer.defaults['fused'] is True, name


@pytest.mark.parametrize('config', CONFIGS[:2])
def test_default_is_bfloat16_where_native(config, monkeypatch):
    for native in (False, True):
        monkeypatch.setattr(aow, 'native_bf16', lambda device: native)
        for name, wrapper in wrappers(config).items():
            assert isinstance(wrapper, AutocastOptimWrapper), name
            assert wrapper.cast_dtype == (torch.bfloat16 if native else
                                          None), name


@pytest.mark.parametrize('config', CONFIGS[:2])
def test_amp_forces_bfloat16(config, monkeypatch):
    monkeypatch.setattr(aow, 'native_bf16', lambda device: False)
    for name, wrapper in wrappers(config, '--amp').items():
        assert isinstance(wrapper, AutocastOptimWrapper), name
        assert wrapper.cast_dtype == torch.bfloat16, name


def test_amp_on_a_gpu_without_native_bfloat16(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(train_tool, 'native_bf16', lambda device: False)
    cfg = Config.fromfile(osp.join(ROOT, CONFIGS[0]))
    ow = train_tool.set_precision(cfg.optim_wrapper, 'amp')
    for name in ('generator', 'student'):
        assert ow[name]['type'] == 'AmpOptimWrapper'
        assert ow[name]['loss_scale'] == 'dynamic'
        assert 'dtype' not in ow[name]  # the defaults' 'auto' is gone
        # built as mmengine builds it (the wrapper itself needs CUDA)
        merged = train_tool.PerModuleOptimWrapperConstructor.merged_entries(
            ow)[name]
        assert merged['type'] == 'AmpOptimWrapper' and 'dtype' not in merged
        assert merged['optimizer']['fused'] is True


def test_amp_and_no_amp_are_exclusive(capsys):
    with pytest.raises(SystemExit):
        train_tool.parse_args([CONFIGS[0], '--amp', '--no-amp'])
    assert 'not allowed with' in capsys.readouterr().err


def test_single_wrapper_configs_are_switched_too():
    ow = dict(type='AmpOptimWrapper', loss_scale=512.0, dtype='float16',
              optimizer=dict(type='SGD', lr=0.1))
    assert train_tool.set_precision(ow, 'fp32') == dict(
        type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1))
    custom = dict(type='MyWrapper', optimizer=dict(type='SGD', lr=0.1))
    assert train_tool.set_precision(custom, 'fp32') == custom
    assert train_tool.set_precision(custom, 'amp') == custom
