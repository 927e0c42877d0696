"""The benchmark suites and the demo built on them (the runs themselves are
minutes long: tools/demo.py is measured, not tested, here)."""
import os
import os.path as osp

import pytest

from mmdfkd.analysis import benchmark, demo
from mmdfkd.utils import DFKDInputError

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.mark.parametrize('dataset,family', [
    ('digits', 'lenet5'), ('fashion-mnist', 'lenet5'), ('digits', 'resnet'),
    ('fashion-mnist', 'resnet')])
def test_every_suite_config_exists(dataset, family):
    found = (benchmark.methods if family == 'lenet5' else
             benchmark.resnet_methods)(dataset)
    all_teachers = benchmark.teachers(dataset)
    for _, stages in found.values():
        for config, teachers in stages:
            assert osp.isfile(osp.join(ROOT, config)), config
            for name in teachers.values():
                assert osp.isfile(osp.join(ROOT, all_teachers[name][0])), \
                    name


def test_resnet_suite(tmp_path):
    suite = benchmark.Suite('digits-resnet', str(tmp_path))
    assert list(suite.methods) == ['cgdd', 'fast-5', 'dafl', 'cdfkd_mfs',
                                   'rdskd']
    # both RDSKD stages load the ResNet teacher; the generator is handed on
    assert [ts for _, ts in suite.methods['rdskd'][1]] == [
        {'model.teacher.checkpoint': 'resnet18-narrow'}] * 2
    assert sorted(suite.teachers) == [
        'resnet18-narrow', 'resnet18-narrow_seed2', 'resnet18-narrow_seed3']
    assert suite.methods['cgdd'][1] == [(
        'configs/cgdd/cgdd_resnet18-narrow_lenet5-half_1xb64-800_digits.py',
        {'model.teacher.checkpoint': 'resnet18-narrow'})]
    only = benchmark.Suite('digits-resnet', str(tmp_path), ['fast-5'])
    assert only.teachers == {'resnet18-narrow': (
        'configs/teachers/teacher_resnet18-narrow_digits.py', ())}
    fmnist = benchmark.Suite('fashion-mnist-resnet', str(tmp_path))
    assert list(fmnist.methods) == ['cgdd', 'fast-5']
    assert fmnist.methods['cgdd'][1][0][0] == (
        'configs/cgdd/cgdd_resnet18-narrow_lenet5-half_1xb64-1.2k_'
        'fashion-mnist.py')
    assert fmnist.teachers == {'resnet18-narrow': (
        'configs/teachers/teacher_resnet18-narrow_fashion-mnist.py', ())}


def test_demo_suite_trains_only_the_teachers_it_needs(tmp_path):
    suite = benchmark.Suite('demo', str(tmp_path))
    assert list(suite.methods) == ['cgdd', 'rdskd', 'cdfkd_mfs', 'fast-5']
    assert sorted(suite.teachers) == [
        'lenet5', 'lenet5-bn_seed1', 'lenet5-bn_seed2', 'lenet5-bn_seed3']
    assert suite.seeds == [0]
    assert suite.last_stage_dir('rdskd', 0) == str(tmp_path / 'rdskd' /
                                                   'seed0-1')
    only = benchmark.Suite('digits', str(tmp_path), ['dfq'], [1, 2])
    assert list(only.teachers) == ['lenet5-bn_seed1']


@pytest.mark.parametrize('amp,flags', [
    (None, (False, False)), (True, (True, False)), (False, (False, True))])
def test_suite_precision_reaches_the_runs(tmp_path, monkeypatch, amp, flags):
    # default: the configs' own precision (no flag), so a CPU without
    # native bfloat16 is not made to emulate it (many times slower)
    calls = []

    def fake_chain(configs, work_dir, options, amp, no_amp, stage_options):
        assert options == ['randomness.seed=0',
                           'default_hooks.student_check.fail=False']
        calls.append((amp, no_amp))
        os.makedirs(work_dir)
        return 97.0, [1.0]

    monkeypatch.setattr(benchmark, 'run_chain', fake_chain)
    monkeypatch.setattr(benchmark, 'last_metric', lambda *a: 99.0)
    suite = benchmark.Suite('digits', str(tmp_path), ['cgdd'], [0], amp=amp)
    assert suite._student('cgdd', 0)['top1'] == 97.0
    assert calls == [flags]
    assert suite.precision == benchmark.precision_name(amp)
    assert benchmark.precision_name(False) == 'float32'
    assert benchmark.precision_name(True).startswith('bfloat16')
    cuda = benchmark.torch.cuda.is_available()
    native = benchmark.native_bf16('cuda' if cuda else 'cpu')
    assert benchmark.precision_name(None).startswith(
        'bfloat16' if native else 'float32')


def test_table():
    results = dict(
        seeds=[0, 1], jobs=2, seconds=600,
        teachers=dict(lenet5=dict(top1=99.44, seconds=25.0)),
        methods=dict(cgdd=dict(label='CGDD', runs={
            '0': dict(top1=98.0, teacher_top1=99.63, ratio=98.4,
                      seconds=100.0),
            '1': dict(top1=97.0, teacher_top1=99.63, ratio=97.4,
                      seconds=120.0)})))
    lines = benchmark.table(results).splitlines()
    assert lines[2] == ('| CGDD | 97.50 ± 0.71 | 98.00 / 97.00 | 99.63 ± 0.00'
                        ' | 97.9 ± 0.7 | 110 |')
    assert lines[-1] == ('Teachers: lenet5 99.44 % (25 s). Seeds 0, 1; all '
                         'runs 600 s, 2 at a time.')
    results['precision'] = 'float32'
    assert benchmark.table(results).splitlines()[-1].endswith(
        '2 at a time, float32.')
    results['seeds'] = [0]
    del results['methods']['cgdd']['runs']['1']
    assert benchmark.table(results).splitlines()[2] == (
        '| CGDD | 98.00 | 99.63 | 98.4 | 100 |')


def test_bad_input_is_one_line_before_anything_is_written(tmp_path, capsys):
    assert demo.main(['--jobs', '0', '--work-dir',
                      str(tmp_path / 'x')]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        'mmdfkd error: --jobs 0. Fix: --jobs 1 or more.']
    assert not (tmp_path / 'x').exists()
    with pytest.raises(DFKDInputError, match='unknown method.*Fix'):
        benchmark.Suite('digits', str(tmp_path), ['dafl', 'nope'])
