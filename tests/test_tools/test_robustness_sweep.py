"""tools/analysis/robustness_sweep.py: the grid, how a setting reaches each
stage, failures, resume; and a tiny real sweep."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

from mmdfkd.analysis import robustness_sweep, run_logs

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(ROOT, 'tools', 'analysis', 'robustness_sweep.py')
DAFL = 'configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py'
RDSKD = ('configs/rdskd/rdskd_generator_lenet5_1xb256-600_digits.py,'
         'configs/rdskd/rdskd_student_lenet5_lenet5-half_1xb256-2k_digits.py')


class FakeChain:
    """Records the calls; fails the settings whose run dir contains
    ``fail``; top-1 = 90 + lr_G * 100 (stage 1's lr option)."""

    def __init__(self, fail=()):
        self.calls, self.fail = [], fail

    def __call__(self, configs, work_dir, options, amp, stage_options):
        self.calls.append(dict(configs=configs, work_dir=work_dir,
                               options=options, amp=amp,
                               stage_options=stage_options))
        if any(f in work_dir for f in self.fail):
            raise RuntimeError(f'{configs[-1]} failed (exit 1), log: x\n'
                               'some traceback\nmmdfkd error: non-finite '
                               'loss at iteration 7\n')
        lr = [o for o in stage_options[0] if 'optimizer.lr=' in o]
        lr = float(lr[0].split('=')[1]) if lr else 0.0
        return 90 + 100 * lr, [1.0] * len(configs)


def test_setting_reaches_the_right_stages(tmp_path):
    tool, fake = robustness_sweep, FakeChain()
    args = ['--method', f'rdskd={RDSKD}', '--method', f'dafl={DAFL}',
            '--lr-g', '0.001', '0.01', '--latent-dim', '64',
            '--batch-size', '128', '--iters-scale', '0.5', '--seed', '3',
            '--work-dir', str(tmp_path), '--cfg-options', 'a.b=1']
    assert tool.main(args, runner=fake) == 0
    assert len(fake.calls) == 4  # 2 settings x 2 methods
    rdskd = next(c for c in fake.calls if c['work_dir'].endswith(
        osp.join('rdskd', 'lr0.01_z64_b128')))
    gen, stu = rdskd['stage_options']
    assert gen == [
        'optim_wrapper.generator.optimizer.lr=0.01',
        'train_dataloader.batch_size=128', 'model.generator.latent_dim=64',
        'train_dataloader.dataset.latent_dim=64', 'train_cfg.max_iters=300',
        'train_cfg.val_interval=300', 'a.b=1'
    ]  # 600 iterations halved; val_interval (500) capped
    # stage 2: the frozen generator's latent size only, its own lr/batch
    assert stu == [
        'model.generator.latent_dim=64',
        'train_dataloader.dataset.latent_dim=64', 'train_cfg.max_iters=1000',
        'train_cfg.val_interval=500', 'a.b=1'
    ]
    # a student at chance is recorded, not a failed run
    assert rdskd['options'] == ['randomness.seed=3',
                                'default_hooks.student_check.fail=False']
    dafl = next(c for c in fake.calls if 'dafl' in c['work_dir'])
    assert dafl['stage_options'][0][:2] == [
        'optim_wrapper.generator.optimizer.lr=0.001',
        'train_dataloader.batch_size=128']
    results = json.load(open(tmp_path / 'results.json'))
    assert results['meta']['iters_scale'] == 0.5
    md = open(tmp_path / 'robustness.md').read()
    assert 'iters scale 0.5' in md
    assert '| 0.01 | 64 | 128 | 91.00 | 91.00 |' in md
    assert '| **mean** | | | 90.55 | 90.55 |' in md
    assert '| **worst (min)** | | | 90.10 | 90.10 |' in md


def test_failures_are_recorded_and_resume_skips(tmp_path, capsys):
    tool = robustness_sweep

    def args(*lrs):
        return ['--method', f'dafl={DAFL}', '--work-dir', str(tmp_path),
                '--lr-g', *lrs]

    fake = FakeChain(fail=('lr0.2_',))
    assert tool.main(args('0.1', '0.2', '0.3'), runner=fake) == 0
    # a failure is recorded, not a crash of the sweep
    assert len(fake.calls) == 3
    runs = json.load(open(tmp_path / 'results.json'))['runs']['dafl']
    failed = runs['lr_G=0.2,latent=config,batch=config']
    assert failed['top1'] is None
    assert failed['error'] == ('mmdfkd error: non-finite loss at '
                               'iteration 7')
    md = open(tmp_path / 'robustness.md').read()
    assert '| 0.2 | config | config | FAILED |' in md
    assert '| **mean** | | | 110.00 (2/3 ok) |' in md  # 100 and 120
    assert '| **worst (min)** | | | FAILED (1) |' in md
    assert 'non-finite loss at iteration 7' in md

    # --resume: nothing reruns, a new grid value runs alone
    fake = FakeChain()
    assert tool.main(args('0.1', '0.2', '0.3', '0.4') + ['--resume'],
                     runner=fake) == 0
    assert [c['work_dir'] for c in fake.calls] == [
        osp.join(str(tmp_path), 'dafl', 'lr0.4_zconfig_bconfig')]
    # --retry-failed reruns the failure only
    fake = FakeChain()
    retry = args('0.1', '0.2', '0.3') + ['--resume', '--retry-failed']
    assert tool.main(retry, runner=fake) == 0
    assert [osp.basename(c['work_dir']) for c in fake.calls] == [
        'lr0.2_zconfig_bconfig']
    md = open(tmp_path / 'robustness.md').read()
    assert '| **worst (min)** | | | 100.00 |' in md
    assert '| 0.4 |' not in md  # the table shows this call's grid
    # other settings than recorded: refused, one line
    capsys.readouterr()
    assert tool.main(args('0.1') + ['--resume', '--seed', '1'],
                     runner=FakeChain()) == 1
    err = capsys.readouterr().err
    assert err.startswith('mmdfkd error: ') and '(seed)' in err
    assert err.count('\n') == 1


def test_bad_input_is_one_line(tmp_path, capsys):
    tool = robustness_sweep
    assert tool.main(['--method', 'x=configs/nope.py', '--work-dir',
                      str(tmp_path)], runner=FakeChain()) == 1
    assert 'config file not found' in capsys.readouterr().err
    student_only = RDSKD.split(',')[1]
    assert tool.main(['--method', f'x={student_only}', '--lr-g', '0.1',
                      '--work-dir', str(tmp_path)], runner=FakeChain()) == 1
    assert 'no stage has a `generator` optimizer' in capsys.readouterr().err


@pytest.mark.slow
def test_tiny_real_sweep_and_resume(tmp_path):
    sys.path.insert(0, osp.join(ROOT, 'tests', 'test_algorithms'))
    from helpers import random_teacher_ckpt
    teacher = random_teacher_ckpt(tmp_path / 'teacher.pth')
    work_dir = tmp_path / 'sweep'
    cmd = [
        sys.executable, TOOL, '--method', f'dafl={DAFL}', '--lr-g', '1e-3',
        '1e-2', '--batch-size', '32', '--teacher-checkpoint', teacher,
        '--work-dir', str(work_dir), '--cfg-options',
        'train_cfg.max_iters=20', 'train_cfg.val_interval=20',
        'default_hooks.teacher_check.min_top1=0'
    ]
    env = dict(os.environ, OMP_NUM_THREADS='2')
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-3000:]
    md = open(work_dir / 'robustness.md').read()
    rows = [line for line in md.splitlines() if line.startswith('| 0.0')]
    assert [r.split(' | ')[:3] for r in rows] == [['| 0.001', 'config',
                                                   '32'],
                                                  ['| 0.01', 'config', '32']]
    for row in rows:
        float(row.split(' | ')[3].rstrip(' |'))  # an accuracy, not FAILED
    for label in ('mean', 'std', 'worst (min)', 'wall time (s)'):
        assert f'| **{label}** |' in md
    runs = json.load(open(work_dir / 'results.json'))['runs']['dafl']
    assert len(runs) == 2
    assert all(r['top1'] is not None and r['error'] is None
               for r in runs.values())
    # the batch size reached the run
    dumped = open(next(
        osp.join(d, f) for d, _, fs in os.walk(work_dir / 'dafl')
        for f in fs if f == osp.basename(DAFL))).read()
    assert 'batch_size=32' in dumped

    proc = subprocess.run(cmd + ['--resume'], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count('recorded, skipped') == 2
    assert json.load(open(work_dir / 'results.json'))['runs']['dafl'] == runs


def test_run_chain_hands_the_generator_on(tmp_path, monkeypatch):
    """The chain runner shared with seed_runs.py, without training."""
    calls = []

    def fake_train(config, work_dir, extra, root):
        calls.append((config, work_dir, list(extra)))
        if config == 'gen.py':  # a generator-only stage exports its weights
            os.makedirs(work_dir, exist_ok=True)
            open(osp.join(work_dir, 'generator.pth'), 'w').close()
        return 2.5

    monkeypatch.setattr(run_logs, 'train_subprocess', fake_train)
    monkeypatch.setattr(run_logs, 'last_metric',
                        lambda work_dir: 77.0 if work_dir.endswith('-1')
                        else None)
    work_dir = str(tmp_path / 'm')
    top1, seconds = run_logs.run_chain(
        ['gen.py', 'stu.py'], work_dir, ['a=1'], amp=True,
        stage_options=[['b=2'], []])
    assert (top1, seconds) == (77.0, [2.5, 2.5])
    generator = osp.join(work_dir, 'generator.pth')
    assert calls == [
        ('gen.py', work_dir, ['--amp', '--cfg-options', 'a=1', 'b=2']),
        ('stu.py', f'{work_dir}-1', [
            '--amp', '--cfg-options', 'a=1',
            f'model.generator_checkpoint={generator}'
        ]),
    ]
    calls.clear()
    assert run_logs.run_chain(['stu.py'], str(tmp_path / 'n'))[1] == [2.5]
    assert calls == [('stu.py', str(tmp_path / 'n'), [])]  # no options
