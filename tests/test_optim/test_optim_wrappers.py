"""PerModuleOptimWrapperConstructor's ``defaults`` and AutocastOptimWrapper's
``dtype='auto'``."""
import pytest
import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper, build_optim_wrapper

import mmdfkd.optim.autocast_optim_wrapper as aow
import mmdfkd.optim.per_module_optim_wrapper_constructor as pmc
from mmdfkd.optim import AutocastOptimWrapper
from mmdfkd.utils import DFKDInputError


class Algo(nn.Module):

    def __init__(self):
        super().__init__()
        self.generator = nn.Linear(4, 4)
        self.student = nn.Conv2d(3, 4, 3)


def build(**entries):
    return build_optim_wrapper(
        Algo(), dict(constructor='PerModuleOptimWrapperConstructor',
                     **entries))


def test_defaults_merge_under_every_entry_and_the_entry_wins():
    optim = build(
        defaults=dict(type='AutocastOptimWrapper', dtype='bfloat16',
                      clip_grad=dict(max_norm=1.0),
                      optimizer=dict(type='SGD', lr=0.1, foreach=True)),
        generator=dict(optimizer=dict(lr=0.5)),
        student=dict(dtype=None, optimizer=dict(type='Adam', lr=1e-3)))
    gen, stu = optim['generator'], optim['student']
    assert isinstance(gen, AutocastOptimWrapper)
    assert gen.cast_dtype == torch.bfloat16
    assert gen.clip_grad_kwargs == dict(max_norm=1.0)
    # nested optimizer keys merge: the entry's lr, the defaults' type and
    # foreach
    assert type(gen.optimizer) is torch.optim.SGD
    assert gen.optimizer.defaults['lr'] == 0.5
    assert gen.optimizer.defaults['foreach'] is True
    # the entry's dtype=None switches autocast off for it alone
    assert isinstance(stu, AutocastOptimWrapper) and stu.cast_dtype is None
    assert type(stu.optimizer) is torch.optim.Adam
    assert stu.optimizer.defaults['lr'] == 1e-3
    assert stu.optimizer.defaults['foreach'] is True


def test_without_defaults_entries_are_built_as_given():
    optim = build(generator=dict(optimizer=dict(type='SGD', lr=0.1)),
                  defaults=None)
    assert type(optim['generator']) is OptimWrapper
    assert set(optim.keys()) == {'generator'}


def test_an_entry_with_delete_ignores_the_defaults():
    optim = build(
        defaults=dict(type='AutocastOptimWrapper', dtype='bfloat16',
                      optimizer=dict(type='SGD', lr=0.1)),
        generator=dict(_delete_=True, type='OptimWrapper',
                       optimizer=dict(type='Adam', lr=1e-3)))
    assert type(optim['generator']) is OptimWrapper
    assert type(optim['generator'].optimizer) is torch.optim.Adam


def test_an_entry_of_another_wrapper_type_names_the_fix():
    # the defaults' dtype does not fit a plain OptimWrapper
    with pytest.raises(DFKDInputError, match='_delete_=True'):
        build(defaults=dict(type='AutocastOptimWrapper', dtype='bfloat16'),
              generator=dict(type='OptimWrapper',
                             optimizer=dict(type='SGD', lr=0.1)))


@pytest.mark.parametrize('defaults', ['bfloat16', [dict(dtype='auto')], 1])
def test_defaults_that_are_not_a_dict(defaults):
    with pytest.raises(DFKDInputError, match='optim_wrapper.defaults must '
                       'be a dict'):
        build(defaults=defaults,
              generator=dict(optimizer=dict(type='SGD', lr=0.1)))


def test_unknown_submodule_key_names_the_submodules():
    with pytest.raises(DFKDInputError) as e:
        build(default=dict(dtype='auto'),  # a typo of `defaults`
              generator=dict(optimizer=dict(type='SGD', lr=0.1)))
    assert "entry 'default'" in str(e.value)
    assert 'generator, student' in str(e.value)
    assert 'optim_wrapper.defaults' in str(e.value)


def test_fused_from_defaults_only_where_torch_has_it(monkeypatch):
    defaults = dict(optimizer=dict(fused=True))
    # SGD and Adam have fused CPU kernels (torch >= 2.4)
    if pmc._fused_supported([nn.Parameter(torch.zeros(1))]):
        optim = build(defaults=defaults,
                      generator=dict(optimizer=dict(type='Adam', lr=1e-3)),
                      student=dict(optimizer=dict(type='SGD', lr=0.1)))
        assert optim['generator'].optimizer.defaults['fused'] is True
        assert optim['student'].optimizer.defaults['fused'] is True
    # an optimizer without `fused` ignores it
    optim = build(defaults=defaults,
                  generator=dict(optimizer=dict(type='LBFGS', lr=0.1)))
    assert 'fused' not in optim['generator'].optimizer.defaults
    # no fused kernel here (e.g. CPU before torch 2.4): dropped
    monkeypatch.setattr(pmc, '_fused_supported', lambda params: False)
    optim = build(defaults=defaults,
                  generator=dict(optimizer=dict(type='Adam', lr=1e-3)))
    assert not optim['generator'].optimizer.defaults['fused']
    # ... but an entry's own `fused` is passed as given
    optim = build(defaults=defaults,
                  generator=dict(optimizer=dict(type='SGD', lr=0.1,
                                                fused=False)))
    assert optim['generator'].optimizer.defaults['fused'] is False


def test_fused_and_default_optimizers_take_the_same_steps():
    torch.manual_seed(0)
    steps = {}
    for fused in (False, True):
        torch.manual_seed(0)
        algo = Algo()
        optim = build_optim_wrapper(algo, dict(
            constructor='PerModuleOptimWrapperConstructor',
            defaults=dict(optimizer=dict(fused=fused)),
            generator=dict(optimizer=dict(type='Adam', lr=1e-2)),
            student=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9,
                                        weight_decay=1e-3))))
        torch.manual_seed(1)
        for _ in range(3):
            loss = (algo.generator(torch.randn(2, 4)).square().sum() +
                    algo.student(torch.randn(2, 3, 5, 5)).square().sum())
            loss.backward()
            for wrapper in optim.values():
                wrapper.step()
                wrapper.zero_grad()
        steps[fused] = algo.state_dict()
    for key, value in steps[False].items():
        torch.testing.assert_close(steps[True][key], value)


# ------------------------------------------------------------------------
# AutocastOptimWrapper dtype='auto'

def _cpu_capability(monkeypatch, avx512_bf16, amx):
    monkeypatch.setattr(torch.cpu, '_is_avx512_bf16_supported',
                        lambda: avx512_bf16, raising=False)
    monkeypatch.setattr(torch.cpu, '_is_amx_tile_supported', lambda: amx,
                        raising=False)


@pytest.mark.parametrize('avx512_bf16,amx,expected', [
    (True, False, torch.bfloat16),
    (False, True, torch.bfloat16),
    (False, False, None),
])
def test_auto_dtype_follows_the_cpu(monkeypatch, avx512_bf16, amx,
                                    expected):
    _cpu_capability(monkeypatch, avx512_bf16, amx)
    optim = build(defaults=dict(type='AutocastOptimWrapper', dtype='auto'),
                  student=dict(optimizer=dict(type='SGD', lr=0.1)))
    wrapper = optim['student']
    assert wrapper.device_type == 'cpu'
    assert wrapper.cast_dtype == expected
    layer = nn.Linear(4, 4)
    with wrapper.optim_context(layer):
        out = layer(torch.randn(2, 4))
    assert out.dtype == (expected or torch.float32)


def test_auto_dtype_on_cuda_needs_native_bf16(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    # a GPU that only emulates bfloat16 (compute capability < 8.0)
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported',
                        lambda including_emulation=True: including_emulation)
    assert aow.resolve_autocast_dtype('auto', 'cuda') is None
    monkeypatch.setattr(torch.cuda, 'is_bf16_supported',
                        lambda including_emulation=True: True)
    assert aow.resolve_autocast_dtype('auto', 'cuda') == torch.bfloat16
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    assert not aow.native_bf16('cuda')
    assert not aow.native_bf16('mps')


def test_auto_dtype_is_logged_once(monkeypatch):
    _cpu_capability(monkeypatch, True, False)
    monkeypatch.setattr(aow, '_LOGGED', set())
    messages = []
    monkeypatch.setattr(aow, 'print_log',
                        lambda msg, **kwargs: messages.append(msg))
    for _ in range(3):
        aow.resolve_autocast_dtype('auto', 'cpu')
    assert len(messages) == 1 and 'bfloat16' in messages[0]


@pytest.mark.parametrize('dtype,expected', [
    (None, None), ('float32', None), (torch.float32, None),
    ('bfloat16', torch.bfloat16), (torch.float16, torch.float16)
])
def test_explicit_dtypes(dtype, expected):
    assert aow.resolve_autocast_dtype(dtype, 'cpu') == expected


def test_unknown_dtype():
    with pytest.raises(DFKDInputError, match="unknown dtype 'bf16'"):
        aow.resolve_autocast_dtype('bf16', 'cpu')


def test_an_explicit_autocast_wrapper_is_bfloat16(monkeypatch):
    _cpu_capability(monkeypatch, False, False)
    optim = build(student=dict(type='AutocastOptimWrapper',
                               optimizer=dict(type='SGD', lr=0.1)))
    assert optim['student'].cast_dtype == torch.bfloat16
