"""Resume in constant time: ResumableSampler and DFKDIterBasedTrainLoop skip
the finished iterations without drawing their batches, and the resumed run
is the uninterrupted one (issue 16, item 5)."""
import copy
import os
import sys
import types

import mmengine.runner.loops as mmengine_loops
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import DefaultSampler
from mmengine.hooks import DistSamplerSeedHook
from mmengine.runner import IterBasedTrainLoop
from torch.utils.data import DataLoader

import mmdfkd.engine.loops as dfkd_loops
from mmdfkd.datasets import LatentDataset, ResumableSampler
from mmdfkd.engine import DFKDIterBasedTrainLoop, build_runner

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..',
                                'test_algorithms'))
from helpers import OPTIM, dafl_cfg, random_teacher_ckpt  # noqa: E402

# 10 codes in batches of 4: 3 batches (4, 4, 2) per epoch
LENGTH, BATCH = 10, 4


@pytest.fixture(autouse=True)
def _no_epoch_sleep(monkeypatch):
    """mmengine's _InfiniteDataloaderIterator sleeps 2 s at each epoch end
    (against a worker deadlock); these runs cross many."""
    monkeypatch.setattr(mmengine_loops, 'time',
                        types.SimpleNamespace(sleep=lambda seconds: None))


# ----------------------------------------------------------------- sampler
@pytest.mark.parametrize('rank', [0, 1])
def test_skip_starts_one_epoch_part_way(monkeypatch, rank):
    """Two fake ranks, shuffle on, a length that needs round_up: after
    skip(n) the epoch is DefaultSampler's from n on; the others are whole."""
    monkeypatch.setattr('mmengine.dataset.sampler.get_dist_info',
                        lambda: (rank, 2))
    data = range(11)
    ours = ResumableSampler(data, shuffle=True, seed=3)
    ref = DefaultSampler(data, shuffle=True, seed=3)
    assert len(ours) == len(ref) == 6

    def epoch(sampler, e):
        sampler.set_epoch(e)
        return list(sampler)

    assert [epoch(ours, e) for e in range(3)] == \
        [epoch(ref, e) for e in range(3)]
    ours.set_epoch(2)
    ours.skip(4)
    assert list(ours) == epoch(ref, 2)[4:]
    assert list(ours) == epoch(ref, 2)  # the skip was for one epoch
    assert epoch(ours, 3) == epoch(ref, 3)
    ours.skip(6)
    assert list(ours) == []
    with pytest.raises(ValueError, match='cannot skip 7'):
        ours.skip(7)


# -------------------------------------------- the loop, with a fake runner
class _Runner:
    """What IterBasedTrainLoop.run touches: hooks (DistSamplerSeedHook only)
    and a model whose train_step records its batches."""

    def __init__(self):
        self.visualizer = types.SimpleNamespace(dataset_meta=None)
        self.batches = []
        self.model = types.SimpleNamespace(
            train=lambda: None,
            train_step=lambda data, optim_wrapper: self.batches.append(
                data['inputs'].clone()) or {})
        self.optim_wrapper = None
        self.val_loop = None
        self.epoch = 0
        self.seed_hook = DistSamplerSeedHook()

    def call_hook(self, name, **kwargs):
        if name == 'before_train_epoch':
            self.seed_hook.before_train_epoch(self)


def _run_loop(loop_type, sampler_type, max_iters, start=0, drop_last=False,
              num_workers=0):
    """Batches of iterations ``start..max_iters-1`` and the torch RNG state
    after the run, resumed at ``start``."""
    torch.manual_seed(0)
    dataset = LatentDataset(latent_dim=1, length=LENGTH, seed=0)
    loader = DataLoader(
        dataset, batch_size=BATCH, num_workers=num_workers,
        persistent_workers=num_workers > 0, drop_last=drop_last,
        sampler=sampler_type(dataset, shuffle=True, seed=0))
    runner = _Runner()
    runner.train_loop = loop_type(runner, loader, max_iters=max_iters)
    runner.train_loop._iter = start  # what Runner.resume sets
    runner.train_loop.run()
    if num_workers:
        loader._iterator._shutdown_workers()
    return runner.batches, torch.get_rng_state()


@pytest.mark.parametrize('drop_last', [False, True])
def test_resumed_loop_draws_the_uninterrupted_batches(drop_last):
    full, _ = _run_loop(DFKDIterBasedTrainLoop, ResumableSampler, 9,
                        drop_last=drop_last)
    assert len({tuple(b.flatten().tolist()) for b in full}) == 9
    for start in range(1, 9):  # inside epochs and at their boundaries
        ours, rng = _run_loop(DFKDIterBasedTrainLoop, ResumableSampler, 9,
                              start, drop_last)
        theirs, their_rng = _run_loop(IterBasedTrainLoop, DefaultSampler,
                                      9, start, drop_last)
        assert len(ours) == 9 - start
        assert all(torch.equal(a, b) for a, b in zip(ours, full[start:]))
        assert all(torch.equal(a, b) for a, b in zip(theirs, ours))
        # DataLoader iterators draw their base seed from the torch RNG
        assert torch.equal(rng, their_rng), start


def test_resumed_loop_with_persistent_workers():
    """The iterator mmengine's loop made at build time (workers started,
    epoch 0 prefetched) is reset onto the skipped epoch."""
    full, _ = _run_loop(DFKDIterBasedTrainLoop, ResumableSampler, 8,
                        num_workers=2)
    ours, rng = _run_loop(DFKDIterBasedTrainLoop, ResumableSampler, 8, 4,
                          num_workers=2)
    assert all(torch.equal(a, b) for a, b in zip(ours, full[4:]))
    _, their_rng = _run_loop(IterBasedTrainLoop, DefaultSampler, 8, 4,
                             num_workers=2)
    assert torch.equal(rng, their_rng)


def test_other_samplers_fall_back_to_mmengine(monkeypatch):
    logged = []
    monkeypatch.setattr(dfkd_loops, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    full, _ = _run_loop(IterBasedTrainLoop, DefaultSampler, 6)
    ours, _ = _run_loop(DFKDIterBasedTrainLoop, DefaultSampler, 6, 4)
    assert all(torch.equal(a, b) for a, b in zip(ours, full[4:]))
    assert len(logged) == 1 and 'Resume will be slow' in logged[0]
    assert 'DefaultSampler cannot skip' in logged[0]


# ------------------------------------------------ a DAFL run, via Runner
def _dafl_run(ckpt, work_dir, max_iters=8, loop='DFKDIterBasedTrainLoop',
              sampler='ResumableSampler', resume_from=None):
    cfg = dict(
        model=dafl_cfg(ckpt), work_dir=str(work_dir), default_scope='mmdfkd',
        runner_type='DFKDRunner', launcher='none',
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        train_dataloader=dict(
            batch_size=BATCH, num_workers=0,
            sampler=dict(type=sampler, shuffle=True),
            collate_fn=dict(type='default_collate'),
            dataset=dict(type='LatentDataset', latent_dim=16,
                         length=LENGTH)),
        optim_wrapper=copy.deepcopy(OPTIM),
        train_cfg=dict(type=loop, max_iters=max_iters),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=2,
                            by_epoch=False),
            logger=dict(type='LoggerHook', interval=1),
            sampler_seed=dict(type='DistSamplerSeedHook')),
        randomness=dict(seed=0), log_processor=dict(by_epoch=False),
        log_level='WARNING')
    if resume_from is not None:
        cfg.update(resume=True, load_from=str(resume_from))
    runner = build_runner(Config(cfg))
    runner.train()
    return runner


@pytest.fixture(scope='module')
def full_run(tmp_path_factory):
    """An uninterrupted 8-iteration run (epochs end after iterations 3 and
    6) with checkpoints at 2, 4, 6 and 8."""
    tmp = tmp_path_factory.mktemp('resume')
    ckpt = random_teacher_ckpt(tmp / 't.pth')
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(mmengine_loops, 'time',
                   types.SimpleNamespace(sleep=lambda seconds: None))
        runner = _dafl_run(ckpt, tmp / 'full')
    return ckpt, tmp, runner.model.state_dict()


def test_dafl_resumes_bit_exactly_after_an_epoch_boundary(full_run):
    """Resumed at iteration 4 (epoch 1, batch 1) == uninterrupted, and ==
    mmengine's fast-forwarding resume, torch RNG included."""
    ckpt, tmp, full = full_run
    states, rngs = [], []
    for loop, sampler in [('DFKDIterBasedTrainLoop', 'ResumableSampler'),
                          ('IterBasedTrainLoop', 'DefaultSampler')]:
        runner = _dafl_run(ckpt, tmp / loop, loop=loop, sampler=sampler,
                           resume_from=tmp / 'full' / 'iter_4.pth')
        assert runner.iter == 8
        states.append(runner.model.state_dict())
        rngs.append(torch.get_rng_state())
    assert torch.equal(*rngs)
    for state in states:
        assert state.keys() == full.keys()
        for key, value in full.items():
            assert torch.equal(value, state[key]), key


def test_resume_reads_no_finished_batch(full_run, monkeypatch):
    """One more iteration after iteration 2 or 8 (both batch 2 of an
    epoch: 2 codes) reads those 2 codes; mmengine's loop reads every code
    of the finished iterations too."""
    ckpt, tmp, _ = full_run
    reads = []
    getitem = LatentDataset.__getitem__
    monkeypatch.setattr(LatentDataset, '__getitem__',
                        lambda self, idx: reads.append(idx) or getitem(
                            self, idx))
    counts = {}
    for loop, sampler in [('DFKDIterBasedTrainLoop', 'ResumableSampler'),
                          ('IterBasedTrainLoop', 'DefaultSampler')]:
        for start in (2, 8):
            reads.clear()
            _dafl_run(ckpt, tmp / f'{loop}_{start}', start + 1, loop,
                      sampler, tmp / 'full' / f'iter_{start}.pth')
            counts[loop, start] = len(reads)
    assert counts['DFKDIterBasedTrainLoop', 2] == 2
    assert counts['DFKDIterBasedTrainLoop', 8] == 2
    assert counts['IterBasedTrainLoop', 2] == 4 + 4 + 2
    assert counts['IterBasedTrainLoop', 8] == 2 * LENGTH + 4 + 4 + 2


def test_benchmark_resume_table(capsys):
    """tools/analysis/benchmark_resume.py on the DAFL digits demo (random
    teacher): mmengine's loop draws every finished batch, ours none."""
    from mmdfkd.analysis.benchmark_resume import main
    assert main(['configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py',
                 '--iters', '3', '40']) == 0
    out = capsys.readouterr().out
    rows = {tuple(cells[:2]): cells[2:] for line in out.splitlines()
            if line.startswith('| mm')
            for cells in [[c.strip() for c in line.strip('|').split('|')]]}
    assert {key: cells[1] for key, cells in rows.items()} == {
        ('mmdfkd', '3'): '0', ('mmdfkd', '40'): '0',
        ('mmengine', '3'): '3', ('mmengine', '40'): '40'}
    assert 'mmdfkd: start-up at 40 - at 3 = ' in out
