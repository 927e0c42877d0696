"""Image sources: the synthesizer contract, ImagePool, batched augmentations,
and a pool-based method (tests/test_synthesizers/toy_pool_method.py, the
skeleton of docs/design.md) resuming bit-exactly through the Runner."""
import copy
import os
import sys

import pytest
import torch
from mmengine.config import Config

from mmdfkd.engine import build_runner
from mmdfkd.registry import MODELS
from mmdfkd.synthesizers import (BatchRandomCrop, BatchRandomFlip,
                                 ImagePool)
from mmdfkd.utils import DFKDInputError

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..',
                                'test_algorithms'))
import toy_pool_method  # noqa: E402,F401  (registers the toy modules)
from helpers import LENET, lenet_algorithm, random_teacher_ckpt  # noqa: E402


def test_random_crop_equals_per_image_padded_crop():
    images = torch.randn(6, 2, 5, 7)
    out = BatchRandomCrop(padding=2, fill=[-1.0, 3.0])(
        images, torch.Generator().manual_seed(0))
    rng = torch.Generator().manual_seed(0)
    dy = torch.randint(5, (6, ), generator=rng)
    dx = torch.randint(5, (6, ), generator=rng)
    for i in range(6):
        padded = torch.stack([
            torch.nn.functional.pad(images[i, c], (2, 2, 2, 2), value=v)
            for c, v in enumerate([-1.0, 3.0])])
        expected = padded[:, dy[i]:dy[i] + 5, dx[i]:dx[i] + 7]
        assert torch.equal(out[i], expected)
    assert torch.equal(BatchRandomCrop(padding=0)(images), images)


def test_random_flip():
    images = torch.randn(4, 1, 3, 3)
    assert torch.equal(BatchRandomFlip(prob=1.0)(images), images.flip(3))
    assert torch.equal(BatchRandomFlip(prob=0.0)(images), images)
    mixed = BatchRandomFlip()(torch.randn(2000, 1, 1, 2))
    assert mixed.shape == (2000, 1, 1, 2)


def _batch(start, num=4):
    images = torch.arange(start, start + num).float().reshape(num, 1, 1, 1)
    return dict(images=images.expand(num, 1, 2, 2).clone(),
                labels=torch.arange(start, start + num))


def test_pool_keeps_the_newest_and_samples_each_item_once_per_pass():
    pool = ImagePool(capacity=6, seed=0)
    for start in (0, 4, 8):
        pool.add(_batch(start))
    assert len(pool) == 6 and pool.num_added == 12
    seen = pool.sample(6)['labels']
    assert sorted(seen.tolist()) == [6, 7, 8, 9, 10, 11]   # oldest dropped
    two_passes = torch.cat([pool.sample(4)['labels'],
                            pool.sample(8)['labels']])
    assert sorted(two_passes[:6].tolist()) == [6, 7, 8, 9, 10, 11]
    # images stay paired with their labels
    batch = pool.sample(5)
    assert torch.equal(batch['images'][:, 0, 0, 0], batch['labels'].float())


@pytest.mark.parametrize('on_disk', [False, True])
def test_pool_state_dict_continues_bit_exactly(tmp_path, on_disk):
    root = str(tmp_path / 'pool') if on_disk else None
    augment = [dict(type='BatchRandomCrop', padding=1),
               dict(type='BatchRandomFlip')]
    pool = ImagePool(capacity=10, augment=augment, root=root, seed=3)
    for start in (0, 4, 8):
        pool.add(_batch(start))
    pool.sample(3)
    state = copy.deepcopy(pool.state_dict())
    expected = [pool.sample(4) for _ in range(3)]
    pool.add(_batch(20))
    expected.append(pool.sample(7))

    restored = ImagePool(capacity=10, augment=augment, root=root, seed=99)
    restored.load_state_dict(state)
    got = [restored.sample(4) for _ in range(3)]
    restored.add(_batch(20))
    got.append(restored.sample(7))
    for a, b in zip(expected, got):
        assert torch.equal(a['images'], b['images'])
        assert torch.equal(a['labels'], b['labels'])


def test_disk_and_memory_pools_agree(tmp_path):
    pools = [ImagePool(capacity=100, seed=1),
             ImagePool(capacity=100, seed=1, root=str(tmp_path))]
    for pool in pools:
        for start in (0, 4, 8):
            pool.add(_batch(start))
    a, b = (p.sample(9) for p in pools)
    assert torch.equal(a['labels'], b['labels'])
    assert torch.equal(a['images'], b['images'])
    assert len(os.listdir(tmp_path / 'rank0')) == 3


def test_pool_errors():
    with pytest.raises(DFKDInputError, match='capacity'):
        ImagePool(capacity=0)
    pool = ImagePool(capacity=4)
    with pytest.raises(DFKDInputError, match='empty'):
        pool.sample(2)
    with pytest.raises(DFKDInputError, match="'labels'"):
        pool.add(dict(images=torch.zeros(2, 1, 2, 2)))
    state = pool.state_dict()
    state['_extra_state']['shards'] *= 2
    with pytest.raises(DFKDInputError, match='resume with 2 rank'):
        pool.load_state_dict(state)


def test_generators_honour_the_contract(tmp_path):
    ckpt = random_teacher_ckpt(tmp_path / 't.pth')
    model = MODELS.build(lenet_algorithm(
        'DAFL', ckpt, loss_oh=dict(type='OneHotLoss'),
        loss_ie=dict(type='InfoEntropyLoss'),
        loss_act=dict(type='ActivationLoss'), loss_kd=dict(type='KDLoss')))
    model.train()
    source = model.image_source
    assert source is model.generator and not source.conditional
    before = {k: v.clone() for k, v in source.state_dict().items()}
    a = source.sample(5, rng=torch.Generator().manual_seed(0))
    b = source.sample(5, rng=torch.Generator().manual_seed(0))
    assert a.shape == (5, 1, 32, 32) and torch.equal(a, b)
    assert not a.requires_grad
    for key, value in source.state_dict().items():  # BN stats untouched
        assert torch.equal(value, before[key]), key


def test_methods_state_their_image_sources(tmp_path):
    ckpt = random_teacher_ckpt(tmp_path / 't.pth')
    dafl = lenet_algorithm(
        'DAFL', ckpt, loss_oh=dict(type='OneHotLoss'),
        loss_ie=dict(type='InfoEntropyLoss'),
        loss_act=dict(type='ActivationLoss'), loss_kd=dict(type='KDLoss'))
    with pytest.raises(DFKDInputError, match='takes no `image_pool`'):
        MODELS.build(dict(dafl, image_pool=dict(type='ImagePool')))
    with pytest.raises(DFKDInputError, match='needs `generator`'):
        MODELS.build(dict(dafl, generator=None))
    with pytest.raises(DFKDInputError, match='needs `image_pool`'):
        MODELS.build(_toy_cfg(ckpt)['model'] | dict(image_pool=None))


def _toy_cfg(ckpt, work_dir='.', max_iters=6):
    model = dict(
        type='ToyPoolKD',
        teacher=dict(model=copy.deepcopy(LENET.lenet5), checkpoint=ckpt),
        student=copy.deepcopy(LENET.lenet5_half),
        synthesizer=dict(type='ToyPixelSynthesizer', num=8,
                         shape=(1, 32, 32), num_classes=10),
        image_pool=dict(type='ImagePool', capacity=20, augment=[
            dict(type='BatchRandomCrop', padding=4),
            dict(type='BatchRandomFlip')]),
        loss_kd=dict(type='KDLoss'), batch_size=6, student_steps=2)
    return dict(
        model=model, work_dir=work_dir, default_scope='mmdfkd',
        runner_type='DFKDRunner', launcher='none',
        env_cfg=dict(dist_cfg=dict(backend='gloo')),
        train_dataloader=dict(
            batch_size=2, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='default_collate'),
            dataset=dict(type='LatentDataset', latent_dim=1)),
        optim_wrapper=dict(
            constructor='PerModuleOptimWrapperConstructor',
            student=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9))),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=max_iters),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=3,
                            by_epoch=False),
            logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[dict(type='RankShardsHook')],
        randomness=dict(seed=0), log_processor=dict(by_epoch=False),
        log_level='WARNING')


def test_pool_method_resumes_bit_exactly(tmp_path):
    """Interrupted after iteration 3 and resumed == uninterrupted: student,
    persistent synthesizer parameter, its inner optimizer and the pool."""
    ckpt = random_teacher_ckpt(tmp_path / 't.pth')
    full = build_runner(Config(_toy_cfg(ckpt, str(tmp_path / 'full'))))
    full.train()
    half = build_runner(Config(_toy_cfg(ckpt, str(tmp_path / 'half'), 3)))
    half.train()
    cfg = _toy_cfg(ckpt, str(tmp_path / 'half'))
    cfg.update(resume=True, load_from=str(tmp_path / 'half' / 'iter_3.pth'))
    resumed = build_runner(Config(cfg))
    resumed.train()
    a, b = full.model.state_dict(), resumed.model.state_dict()
    assert a.keys() == b.keys()
    assert 'image_pool._extra_state' in a and \
        'synthesizer._extra_state' in a
    for key in a:
        if isinstance(a[key], torch.Tensor):
            assert torch.equal(a[key], b[key]), key
    pa = full.model.image_pool.sample(20)
    pb = resumed.model.image_pool.sample(20)
    assert torch.equal(pa['images'], pb['images'])
    opt_a, opt_b = (s['synthesizer._extra_state']['shards'][0]['optimizers']
                    ['offset']['state'][0]['exp_avg'] for s in (a, b))
    assert torch.equal(opt_a, opt_b) and opt_a.abs().sum() > 0


def test_pool_larger_batch_keeps_the_newest_rows():
    pool = ImagePool(capacity=3, seed=0)
    pool.add(_batch(0, num=5))
    assert pool.num_added == 5
    assert sorted(pool.sample(3)['labels'].tolist()) == [2, 3, 4]
    pool.add(_batch(5, num=1))   # ring continues where 5 rows would end
    assert sorted(pool.sample(3)['labels'].tolist()) == [3, 4, 5]


def test_round_synthesizer_state_needs_the_same_ranks():
    synth = MODELS.build(dict(type='ToyPixelSynthesizer', num=2,
                              shape=(1, 4, 4), num_classes=3))
    state = synth.state_dict()
    assert len(state['_extra_state']['shards']) == 1
    state['_extra_state']['shards'] *= 2
    with pytest.raises(DFKDInputError, match='resume with 2 rank'):
        synth.load_state_dict(state)
