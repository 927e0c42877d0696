"""tools/analysis/benchmark_throughput.py: the table it prints, and its
reference loops (mmdfkd/analysis/reference_loops.py) making the same
parameter updates as the algorithms' train_step."""
import copy
import math
import os
import os.path as osp
import re
import subprocess

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmdfkd.algorithms import BaseDFKD
from mmdfkd.analysis import benchmark_throughput as bt
from mmdfkd.analysis.reference_loops import REFERENCES, reference_copy
from mmdfkd.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

DAFL = 'configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py'
MFS = 'configs/cdfkd_mfs/cdfkd-mfs_3xlenet5_mh-lenet5-half_1xb64-300_digits.py'
LENET = Config.fromfile(osp.join(ROOT, 'configs/_base_/models/lenet5.py'))


@pytest.fixture(autouse=True)
def _one_thread():
    """One intra-op thread: many tiny ops on two threads of a loaded
    2-core machine spend most of their time waiting for each other."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def table_rows(out: str) -> dict:
    """``{setting: [cells]}`` of the markdown table."""
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if line.startswith('| ') and not cells[0].startswith('setting'):
            rows[cells[0]] = cells[1:]
    return rows


def _images_per_s(cell: str) -> float:
    return float(re.match(r'[\d.]+', cell).group())


@pytest.mark.slow
def test_dafl_table_and_compile_failure_row(capsys, monkeypatch):
    # a compile that breaks at the first call must give a row, not a crash
    def broken_compile(model, compile_kwargs):
        def fail(module, args):
            raise RuntimeError('inductor is broken here')

        model.generator.register_forward_pre_hook(fail)

    monkeypatch.setattr(BaseDFKD, 'compile_networks', broken_compile)
    assert bt.main([
        osp.join(ROOT, DAFL), '--iters', '2', '--warmup', '1', '--rounds',
        '1', '--batch-size', '32', '--compile'
    ]) == 0
    out = capsys.readouterr().out
    rows = table_rows(out)
    ref = rows['reference (official loop, fp32 eager)']
    assert _images_per_s(ref[0]) > 0 and ref[1] == '1.00x'
    ours = rows['mmdfkd fp32']
    assert _images_per_s(ours[0]) > 0 and ours[1].endswith('x')
    assert 'gen' in ours[2] and 'stu' in ours[2]
    assert rows['mmdfkd fp32 + compile'][0].startswith(
        'compile failed: RuntimeError: inductor is broken here')
    assert 'images/iter: 32' in out


@pytest.mark.slow
def test_cdfkd_mfs_table(capsys):
    assert bt.main([
        osp.join(ROOT, MFS), '--iters', '2', '--warmup', '1', '--rounds',
        '1', '--batch-size', '16'
    ]) == 0
    out = capsys.readouterr().out
    rows = table_rows(out)
    assert set(rows) == {'reference (official loop, fp32 eager)',
                         'mmdfkd fp32'}
    assert all(_images_per_s(r[0]) > 0 for r in rows.values())
    # student_steps + 1 = 6 batches of 16 images per iteration
    assert 'images/iter: 96' in out


@pytest.mark.dist
def test_two_gloo_ranks_through_dist_train_sh():
    """The benchmark under tools/dist_train.sh (SCRIPT=...): two CPU ranks
    (gloo) run, and the table reports images/s per rank."""
    env = dict(os.environ, OMP_NUM_THREADS='1',
               SCRIPT='tools/analysis/benchmark_throughput.py',
               PORT=str(29500 + os.getpid() % 1000 + 7))
    proc = subprocess.run(
        ['bash', 'tools/dist_train.sh', DAFL, '2', '--iters', '2',
         '--warmup', '1', '--rounds', '1', '--batch-size', '16', '--amp'],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'world size: 2' in proc.stdout
    assert '| setting | images/s per rank |' in proc.stdout
    rows = table_rows(proc.stdout)
    assert {'reference (official loop, fp32 eager)', 'mmdfkd fp32',
            'mmdfkd amp'} <= set(rows)
    assert all(_images_per_s(r[0]) > 0 for r in rows.values())


# ------------------------------------------------------------------------
# One reference iteration == one train_step (fp32, same start, same codes)

def _algorithm(method: str, tmp_path) -> dict:
    teacher = dict(model=copy.deepcopy(LENET.lenet5), init_random=True)
    generator = dict(type='DAFLGenerator', latent_dim=16, img_size=32,
                     out_channels=1, base_channels=16)
    cfg = dict(type=method, teacher=teacher, generator=generator,
               student=copy.deepcopy(LENET.lenet5_half))
    if method == 'DAFL':
        cfg.update(loss_oh=dict(type='OneHotLoss'),
                   loss_ie=dict(type='InfoEntropyLoss', loss_weight=5.0),
                   loss_act=dict(type='ActivationLoss', loss_weight=0.1),
                   loss_kd=dict(type='KDLoss'))
    elif method == 'DFAD':
        cfg.update(loss_discrepancy=dict(type='LogitL1Loss'),
                   student_steps=2)
    elif method == 'RDSKD':
        cfg.update(student=None, loss_oh=dict(type='OneHotLoss'),
                   loss_ie=dict(type='InfoEntropyLoss', log_base=math.e),
                   loss_ds=dict(type='ModeSeekingLoss'), epoch_length=1,
                   snapshot_iter=0)  # the snapshot is taken in this step
    elif method == 'FrozenGeneratorKD':
        path = str(tmp_path / 'generator.pth')
        torch.save(MODELS.build(generator).state_dict(), path)
        cfg.update(loss_kd=dict(type='KDLoss', tau=10.0),
                   generator_checkpoint=path)
    elif method == 'CDFKDMFS':
        cfg.pop('teacher')
        cfg.update(
            teachers={
                f't{i}': dict(model=copy.deepcopy(LENET.lenet5_bn),
                              init_random=True)
                for i in (1, 2, 3)
            },
            student=copy.deepcopy(LENET.mh_lenet5_half),
            loss_head=dict(type='LogitL1Loss'),
            loss_adv=dict(type='LogitL1Loss'),
            loss_ens=dict(type='LogitL1Loss', loss_weight=5.0),
            loss_bn=dict(type='BNStatisticsLoss', loss_weight=0.1,
                         first_bn_multiplier=5.0),
            student_steps=2)
    elif method == 'CGDD':
        cfg.update(
            teacher=dict(model=copy.deepcopy(LENET.lenet5_bn),
                         init_random=True),
            student=dict(copy.deepcopy(LENET.lenet5_half),
                         type='mmdfkd.FeatureMapClassifier'),
            generator=dict(generator, type='ConditionalDAFLGenerator',
                           num_classes=10),
            loss_label=dict(type='mmpretrain.CrossEntropyLoss'),
            loss_bn=dict(type='BNStatisticsLoss', loss_weight=0.1,
                         first_bn_multiplier=5.0),
            loss_div=dict(type='ModeSeekingLoss'),
            loss_adv=dict(type='LogitL1Loss', loss_weight=0.3),
            loss_kd=dict(type='KDLoss'),
            loss_feat=dict(type='AttentionTransferLoss', loss_weight=25.0),
            feature_stages=(0, 1), student_steps=2)
    elif method == 'ZSKT':
        cfg.update(
            teacher=dict(model=copy.deepcopy(LENET.lenet5_bn),
                         init_random=True),
            student=dict(copy.deepcopy(LENET.lenet5_half),
                         type='mmdfkd.FeatureMapClassifier'),
            generator=dict(generator, type='ZSKTGenerator'),
            loss_kd=dict(type='KDLoss'),
            loss_at=dict(type='AttentionTransferLoss', loss_weight=25.0),
            student_steps=2)
    elif method == 'SpaceshipNet':
        cfg.pop('generator')
        cfg.update(
            teacher=dict(model=copy.deepcopy(LENET.lenet5_bn),
                         init_random=True),
            student=dict(copy.deepcopy(LENET.lenet5_half),
                         type='mmdfkd.FeatureMapClassifier'),
            synthesizer=dict(
                type='SpaceshipSynthesizer', num_classes=10, batch_size=8,
                image_size=(1, 32, 32), iterations=2,
                generator=dict(type='InversionGenerator', latent_dim=16,
                               img_size=32, out_channels=1, base_channels=4),
                loss_bn=dict(type='BNStatisticsLoss'),
                loss_oh=dict(type='mmpretrain.CrossEntropyLoss',
                             loss_weight=0.5)),
            image_pool=dict(type='ImagePool', capacity=16,
                            keys=('images', 'feat0', 'feat1', 'feat2')),
            loss_kd=dict(type='KDLoss', tau=30.0, loss_weight=0.1),
            loss_gradcam=dict(type='GradCAMLoss'),
            batch_size=6, kd_steps=2)
    return cfg


@pytest.mark.parametrize('method', sorted(REFERENCES))
def test_reference_loop_makes_the_train_step_update(method, tmp_path):
    torch.manual_seed(0)
    model = MODELS.build(_algorithm(method, tmp_path))
    model.train()
    # SGD: Adam would turn float noise in the near-zero gradients of conv
    # biases followed by a BN into full steps
    optim_cfg = dict(constructor='PerModuleOptimWrapperConstructor')
    if method not in ('FrozenGeneratorKD', 'SpaceshipNet'):  # pool: own
        optim_cfg['generator'] = dict(optimizer=dict(type='SGD', lr=0.05))
    if method != 'RDSKD':
        optim_cfg['student'] = dict(
            optimizer=dict(type='SGD', lr=0.1, momentum=0.9))
    optim = build_optim_wrapper(model, optim_cfg)
    # official=True: the teachers stay trainable, as in the official code;
    # their unused gradients must not change the updates
    ref_model, opts, ref = reference_copy(model, optim, official=True)
    codes = getattr(model, 'student_steps', 0) + 1
    if method == 'ZSKT':  # one z per pseudo-batch, reused by every step
        codes = 1
    z = torch.randn(8, codes, 16) if codes > 1 else torch.randn(8, 16)

    torch.manual_seed(1)  # CGDD draws its preset labels from the RNG
    model.train_step(dict(inputs=z), optim)
    torch.manual_seed(1)
    ref.step(ref_model, opts, z)

    for name in ('generator', 'student', 'synthesizer'):
        ours, theirs = getattr(model, name, None), getattr(ref_model, name,
                                                           None)
        if ours is None:
            continue
        for (key, a), b in zip(ours.state_dict().items(),
                               theirs.state_dict().values()):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6,
                                       msg=f'{name}.{key}')
    if method == 'RDSKD':
        torch.testing.assert_close(model.loss_oh_prev, ref_model.loss_oh_prev)
        torch.testing.assert_close(model.loss_ie_prev, ref_model.loss_ie_prev)
        assert int(model.num_steps) == int(ref_model.num_steps) == 1


# ------------------------------------------------------------------------
# The benchmarked settings are the switches tools/train.py runs

def _is_channels_last(model) -> bool:
    """Whether the conv weights (those whose formats differ: more than one
    input channel and pixel) are channels-last."""
    weights = [p for p in model.parameters()
               if p.dim() == 4 and p.size(1) > 1 and p[0, 0].numel() > 1]
    assert weights
    return all(p.is_contiguous(memory_format=torch.channels_last) and
               not p.is_contiguous() for p in weights)


@pytest.mark.parametrize('amp,channels_last', [(False, False), (True, True)])
def test_mmdfkd_settings_use_the_model_switches(amp, channels_last):
    from mmengine.optim import OptimWrapper

    from mmdfkd.optim import AutocastOptimWrapper
    cfg = Config.fromfile(osp.join(ROOT, DAFL))
    torch.manual_seed(0)
    base = bt.build_model(cfg, torch.device('cpu'))
    data = bt.latent_batch(cfg, 4)
    setting = bt.Setting('s', torch.device('cpu'))
    model, optim = bt.make_mmdfkd(base, cfg, data, setting, amp,
                                  channels_last, False, False)
    # the reference's base model is plain NCHW, and so is the fp32 setting
    assert not _is_channels_last(base)
    assert _is_channels_last(model) == channels_last
    for key, value in base.state_dict().items():
        torch.testing.assert_close(model.state_dict()[key], value, rtol=0,
                                   atol=0)
    for name, wrapper in optim.items():
        if amp:
            assert isinstance(wrapper, AutocastOptimWrapper), name
            assert wrapper.cast_dtype == torch.bfloat16
        else:  # really float32: no autocast wrapper at all
            assert type(wrapper) is OptimWrapper, name
    setting.step()
