"""tools/train.py end to end: distils above chance, torchrun on CPU, resume,
and one clear error for each kind of bad input."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from mmdfkd.apis import test as test_tool
from mmdfkd.apis import train as train_tool
from cli_helpers import one_error_line, untouched

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DAFL = 'configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py'
DFAD = 'configs/dfad/dfad_lenet5_lenet5-half_1xb128-1k_digits.py'
FMNIST_DAFL = 'configs/dafl/dafl_lenet5_lenet5-half_1xb128-3k_fashion-mnist.py'


def run_train(args, env_extra=None, nproc=1):
    """Run tools/train.py (or dist_train.sh) in a subprocess."""
    env = dict(os.environ, PYTHONPATH=ROOT,
               OMP_NUM_THREADS='1' if nproc > 1 else '2')
    env.update(env_extra or {})
    if nproc > 1:
        cmd = ['bash', 'tools/dist_train.sh', args[0], str(nproc)] + args[1:]
        env['PORT'] = str(29500 + os.getpid() % 1000)
    else:
        cmd = [sys.executable, 'tools/train.py'] + args
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)


def last_top1(work_dir):
    from mmdfkd.analysis.run_logs import last_metric
    return last_metric(str(work_dir))


def short(work_dir, teacher, iters, extra=()):
    return [
        '--work-dir', str(work_dir), '--cfg-options',
        f'model.teacher.checkpoint={teacher}', f'train_cfg.max_iters={iters}',
        f'train_cfg.val_interval={iters}', 'default_hooks.logger.interval=10',
        *extra
    ]


POOL = [  # the inversion family on the BN teacher, short schedules
    ('configs/fast/fast-5_lenet5-bn_lenet5-half_digits.py', 510),
    ('configs/deepinversion/deepinversion_lenet5-bn_lenet5-half_digits.py',
     500),
    ('configs/nayer/nayer_lenet5-bn_lenet5-half_digits.py', 510),
]


@pytest.mark.parametrize('config,iters', POOL,
                         ids=[c.split('/')[1] for c, _ in POOL])
@pytest.mark.slow
def test_pool_methods_distil_above_chance(config, iters, tmp_path,
                                          digits_bn_teacher):
    """A few synthesis rounds into the pool already give a student far
    above chance (10 %); the full digits configs reach 88-99 %."""
    proc = run_train([config] + short(tmp_path, digits_bn_teacher, iters))
    assert proc.returncode == 0, proc.stderr[-3000:]
    top1 = last_top1(tmp_path)
    assert top1 is not None and top1 >= 50.0, top1
    assert glob.glob(osp.join(tmp_path, 'synthetic', 'iter_*.png'))


@pytest.mark.parametrize('config,iters,floor', [(DAFL, 300, 60.0),
                                                (DFAD, 150, 60.0)])
@pytest.mark.slow
def test_short_run_distils_well_above_chance(config, iters, floor, tmp_path,
                                             digits_teacher):
    # the configs' precision: bfloat16 where native (forcing it with --amp
    # makes a CPU without native bfloat16 emulate it, many times slower)
    proc = run_train([config] + short(tmp_path, digits_teacher, iters))
    assert proc.returncode == 0, proc.stderr[-3000:]
    top1 = last_top1(tmp_path)
    assert top1 is not None and top1 >= floor, top1  # chance is 10 %
    assert glob.glob(osp.join(tmp_path, 'synthetic', 'iter_*.png'))
    assert 'Teacher top-1 on the validation set' in open(
        glob.glob(osp.join(tmp_path, '*', '*.log'))[0]).read()
    # the config dump goes to the run's own timestamped folder
    assert glob.glob(osp.join(tmp_path, '*', osp.basename(config)))
    assert not osp.exists(tmp_path / osp.basename(config))
    # tools/test.py scores the saved student the same way
    out = tmp_path / 'metrics.json'
    proc = subprocess.run(
        [sys.executable, 'tools/test.py', config,
         str(tmp_path / f'iter_{iters}.pth'), '--work-dir',
         str(tmp_path), '--out', str(out), '--cfg-options',
         f'model.teacher.checkpoint={digits_teacher}'],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHONPATH=ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.load(open(out))['accuracy/top1'] == pytest.approx(top1)


@pytest.mark.dist
@pytest.mark.parametrize('config', [DAFL, DFAD])
def test_torchrun_two_cpu_ranks_draw_different_codes(config, tmp_path,
                                                     digits_teacher):
    cfg = tmp_path / 'probe_cfg.py'
    cfg.write_text(
        f"_base_ = ['{osp.join(ROOT, config)}']\n"
        "custom_imports = dict(imports=['dist_probe'],\n"
        "                      allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='LatentProbeHook')]\n")
    proc = run_train([str(cfg)] + short(tmp_path, digits_teacher, 6),
                     env_extra=dict(
                         PYTHONPATH=f'{ROOT}:{osp.join(ROOT, "tests")}'),
                     nproc=2)
    assert proc.returncode == 0, proc.stderr[-3000:]
    probes = [json.load(open(osp.join(tmp_path, f'probe_rank{r}.json')))
              for r in (0, 1)]
    assert all(p['world_size'] == 2 for p in probes)
    assert len(probes[0]['batches']) == 6
    # different latent codes on each rank, every iteration
    assert all(a != b for a, b in zip(probes[0]['batches'],
                                      probes[1]['batches']))
    # DDP kept generator and student identical across ranks
    for name in ('generator', 'student'):
        assert probes[0]['params'][name] == pytest.approx(
            probes[1]['params'][name], rel=1e-6)


MFS = 'configs/cdfkd_mfs/cdfkd-mfs_3xlenet5_mh-lenet5-half_1xb64-300_digits.py'


@pytest.mark.dist
def test_torchrun_two_cpu_ranks_cdfkd_mfs_generator_in_sync(tmp_path):
    """CDFKD-MFS back-propagates per teacher into the images and then once
    through the DDP generator: both ranks must keep identical weights."""
    from mmengine.config import Config

    from mmdfkd.registry import MODELS
    lenet_bn = Config.fromfile('configs/_base_/models/lenet5.py').lenet5_bn
    options = []
    for i in (1, 2, 3):
        torch.manual_seed(i)
        path = tmp_path / f't{i}.pth'
        torch.save(MODELS.build(lenet_bn).state_dict(), path)
        options.append(f'model.teachers.t{i}.checkpoint={path}')
    cfg = tmp_path / 'probe_cfg.py'
    cfg.write_text(
        f"_base_ = ['{osp.join(ROOT, MFS)}']\n"
        "custom_imports = dict(imports=['dist_probe'],\n"
        "                      allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='LatentProbeHook')]\n")
    proc = run_train(
        [str(cfg), '--work-dir', str(tmp_path), '--cfg-options', *options,
         'train_cfg.max_iters=3', 'train_cfg.val_interval=3',
         'train_dataloader.batch_size=8', 'default_hooks.logger.interval=1',
         'default_hooks.teacher_check.min_top1=0'],
        env_extra=dict(PYTHONPATH=f'{ROOT}:{osp.join(ROOT, "tests")}'),
        nproc=2)
    assert proc.returncode == 0, proc.stderr[-3000:]
    probes = [json.load(open(osp.join(tmp_path, f'probe_rank{r}.json')))
              for r in (0, 1)]
    assert all(a != b for a, b in zip(probes[0]['batches'],
                                      probes[1]['batches']))
    for name in ('generator', 'student'):
        assert probes[0]['params'][name] == pytest.approx(
            probes[1]['params'][name], rel=1e-6)


@pytest.mark.dist
def test_torchrun_two_cpu_ranks_fast_pool(tmp_path, digits_bn_teacher):
    """Fast under DDP: each rank synthesises its own pool shard (different
    seeds), the meta-generator (gradients averaged) and the student stay
    identical; a 2-rank resume from the gathered shards runs on."""
    cfg = tmp_path / 'probe_cfg.py'
    cfg.write_text(
        f"_base_ = ['{osp.join(ROOT, POOL[0][0])}']\n"
        "custom_imports = dict(imports=['dist_probe'],\n"
        "                      allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='RankShardsHook'),\n"
        "                dict(type='LatentProbeHook')]\n")
    env = dict(PYTHONPATH=f'{ROOT}:{osp.join(ROOT, "tests")}')
    args = short(tmp_path, digits_bn_teacher, 30,
                 ['default_hooks.checkpoint.interval=20'])
    proc = run_train([str(cfg)] + args, env_extra=env, nproc=2)
    assert proc.returncode == 0, proc.stderr[-3000:]
    probes = [json.load(open(osp.join(tmp_path, f'probe_rank{r}.json')))
              for r in (0, 1)]
    assert probes[0]['params']['pool'] != probes[1]['params']['pool']
    for name in ('synthesizer', 'student'):
        assert probes[0]['params'][name] == pytest.approx(
            probes[1]['params'][name], rel=1e-6), name
    proc = run_train([str(cfg)] + args + ['--resume'], env_extra=env,
                     nproc=2)
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.mark.slow
def test_resume_gives_the_same_state_as_an_uninterrupted_run(
        tmp_path, digits_teacher):
    straight, stopped = tmp_path / 'straight', tmp_path / 'stopped'
    ckpt = ['default_hooks.checkpoint.interval=10']
    assert run_train([DFAD] + short(straight, digits_teacher, 20, ckpt)
                     ).returncode == 0
    assert run_train([DFAD] + short(stopped, digits_teacher, 10, ckpt)
                     ).returncode == 0
    proc = run_train([DFAD, '--resume'] +
                     short(stopped, digits_teacher, 20, ckpt))
    assert proc.returncode == 0, proc.stderr[-3000:]
    a = torch.load(straight / 'iter_20.pth', weights_only=False)
    b = torch.load(stopped / 'iter_20.pth', weights_only=False)
    for key, value in a['state_dict'].items():
        assert torch.equal(value, b['state_dict'][key]), key
    for name in ('generator', 'student'):
        sa = a['optimizer'][name]['state']
        sb = b['optimizer'][name]['state']
        for k in sa:
            for kk, v in sa[k].items():
                assert torch.equal(torch.as_tensor(v),
                                   torch.as_tensor(sb[k][kk]))


# -- bad input: one clear message, exit 1, nothing in work_dir overwritten --


def _fails(argv, capsys):
    return one_error_line(train_tool.main, argv, capsys)


def test_missing_teacher_checkpoint(work_dir, capsys):
    err = _fails([DAFL] + short(work_dir, '/nonexistent/teacher.pth', 2),
                 capsys)
    assert 'teacher checkpoint not found: /nonexistent/teacher.pth' in err
    assert 'Fix: train the teacher first' in err
    assert untouched(work_dir)


def test_checkpoint_of_another_class_count(work_dir, tmp_path, capsys):
    from mmengine.config import Config

    from mmdfkd.registry import MODELS
    lenet = Config.fromfile(
        osp.join(ROOT, 'configs/_base_/models/lenet5.py')).lenet5
    lenet.head.num_classes = 7
    torch.save(MODELS.build(lenet).state_dict(), tmp_path / 'seven.pth')
    err = _fails([DAFL] + short(work_dir, tmp_path / 'seven.pth', 2), capsys)
    assert 'does not fit the teacher architecture' in err
    assert 'size mismatch' in err and 'num_classes' in err
    assert untouched(work_dir)


def test_checkpoint_of_another_architecture(work_dir, tmp_path, capsys):
    from mmengine.config import Config

    from mmdfkd.registry import MODELS
    half = Config.fromfile(
        osp.join(ROOT, 'configs/_base_/models/lenet5.py')).lenet5_half
    torch.save(MODELS.build(half).state_dict(), tmp_path / 'half.pth')
    err = _fails([DAFL] + short(work_dir, tmp_path / 'half.pth', 2), capsys)
    assert 'does not fit the teacher architecture' in err
    assert untouched(work_dir)


def test_unknown_zoo_name(work_dir, capsys):
    err = _fails([DAFL, '--work-dir', str(work_dir), '--cfg-options',
                  'model.teacher.model=resnet34_8xb16_cifar11'], capsys)
    assert "unknown teacher name 'resnet34_8xb16_cifar11'" in err
    assert 'list_models' in err
    assert untouched(work_dir)


def test_teacher_file_needing_unpickling_is_refused(work_dir, tmp_path,
                                                    capsys):
    import argparse  # any object that is not a tensor / container / number
    torch.save(dict(state_dict={'w': torch.zeros(1)},
                    extra=argparse.Namespace(x=1)),
               tmp_path / 'pickled.pth')
    err = _fails([DAFL] + short(work_dir, tmp_path / 'pickled.pth', 2),
                 capsys)
    assert 'refusing to load teacher checkpoint' in err
    assert 'extract_weights.py' in err
    assert untouched(work_dir)


def test_load_from_is_not_unpickled(work_dir, tmp_path, digits_teacher,
                                    capsys):
    """Only --resume (and tools/test.py's CHECKPOINT) are trusted."""
    import argparse
    torch.save(dict(state_dict={}, message_hub=argparse.Namespace(x=1)),
               tmp_path / 'foreign.pth')
    err = _fails([DAFL] + short(work_dir, digits_teacher, 2, [
        f'load_from={tmp_path / "foreign.pth"}']), capsys)
    assert 'refusing to unpickle' in err and '--resume' in err
    assert untouched(work_dir)


def test_missing_resume_checkpoint(work_dir, digits_teacher, capsys):
    err = _fails([DAFL, '--resume', '/nonexistent/iter_5.pth'] +
                 short(work_dir, digits_teacher, 2), capsys)
    assert 'file not found: /nonexistent/iter_5.pth' in err
    assert untouched(work_dir)


def test_test_tool_bad_input(tmp_path, capsys):
    assert test_tool.main([DAFL, '/nonexistent/iter_9.pth']) == 1
    err = capsys.readouterr().err
    assert [ln for ln in err.splitlines() if 'mmdfkd error' in ln] == [
        'mmdfkd error: file not found: /nonexistent/iter_9.pth.']


def test_no_validate_runs_without_teacher_check(tmp_path, digits_teacher):
    proc = run_train([DAFL, '--no-validate'] +
                     short(tmp_path, digits_teacher, 3))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert osp.isfile(tmp_path / 'iter_3.pth')


def test_missing_data_root_with_download_disabled(work_dir, digits_teacher,
                                                  capsys):
    err = _fails([FMNIST_DAFL] + short(work_dir, digits_teacher, 2, [
        'val_dataloader.dataset.data_root=/nonexistent/fmnist',
        'val_dataloader.dataset.download=False'
    ]), capsys)
    assert '/nonexistent/fmnist' in err and 'dataset-fashion-mnist' in err
    assert untouched(work_dir)


@pytest.mark.slow
def test_broken_teacher_is_stopped_by_the_floor(work_dir, tmp_path, capsys):
    from mmengine.config import Config

    from mmdfkd.registry import MODELS
    lenet = Config.fromfile(
        osp.join(ROOT, 'configs/_base_/models/lenet5.py')).lenet5
    torch.manual_seed(0)
    torch.save(MODELS.build(lenet).state_dict(), tmp_path / 'random.pth')
    err = _fails([DAFL] + short(work_dir, tmp_path / 'random.pth', 2),
                 capsys)
    assert 'teacher accuracy below the floor of 90.0%' in err
    assert 'mean/std' in err
    assert untouched(work_dir)


@pytest.mark.slow
def test_exit_status_of_the_script(work_dir):
    proc = run_train([DAFL] + short(work_dir, '/nonexistent/t.pth', 2))
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith('mmdfkd error:')


CGDD = 'configs/cgdd/cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py'


@pytest.mark.dist
def test_torchrun_two_cpu_ranks_cgdd(tmp_path):
    """CGDD under DDP: the student's feature maps come through its wrapped
    forward, the conditional generator is wrapped too (grids included);
    both ranks keep identical weights."""
    from mmengine.config import Config

    from mmdfkd.registry import MODELS
    torch.manual_seed(0)
    teacher = tmp_path / 't.pth'
    torch.save(MODELS.build(Config.fromfile(osp.join(ROOT, CGDD)).model
                            .teacher.model).state_dict(), teacher)
    cfg = tmp_path / 'probe_cfg.py'
    cfg.write_text(
        f"_base_ = ['{osp.join(ROOT, CGDD)}']\n"
        "custom_imports = dict(imports=['dist_probe'],\n"
        "                      allow_failed_imports=False)\n"
        "custom_hooks = [dict(type='LatentProbeHook')]\n")
    proc = run_train(
        [str(cfg), '--work-dir', str(tmp_path), '--cfg-options',
         f'model.teacher.checkpoint={teacher}', 'train_cfg.max_iters=3',
         'train_cfg.val_interval=3', 'train_dataloader.batch_size=8',
         'default_hooks.logger.interval=1',
         'default_hooks.synthetic.interval=3',
         'default_hooks.teacher_check.min_top1=0'],
        env_extra=dict(PYTHONPATH=f'{ROOT}:{osp.join(ROOT, "tests")}'),
        nproc=2)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert osp.isfile(osp.join(tmp_path, 'synthetic', 'iter_3.png'))
    probes = [json.load(open(osp.join(tmp_path, f'probe_rank{r}.json')))
              for r in (0, 1)]
    assert all(a != b for a, b in zip(probes[0]['batches'],
                                      probes[1]['batches']))
    for name in ('generator', 'student'):
        assert probes[0]['params'][name] == pytest.approx(
            probes[1]['params'][name], rel=1e-6)


def test_a_run_prints_no_preventable_warning(tmp_path, digits_bn_teacher):
    """mmcv-lite's MultiScaleDeformableAttention notice, mmengine's
    FileClient deprecations, the pool warm-up's scheduler-before-optimizer
    notice and our hooks' own warnings are gone from a distillation run."""
    proc = run_train(['configs/fast/fast-5_lenet5-bn_lenet5-half_digits.py']
                     + short(tmp_path, digits_bn_teacher, 12))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'Warning' not in proc.stderr, proc.stderr[-3000:]
    assert ' - WARNING - ' not in proc.stdout
