"""SpaceshipNet resumes bit-exactly: its persistent generator (weights and
BN running statistics), the pool with the generator features, RNGs."""
import copy

import pytest
import torch
from mmengine.config import Config
from test_inversion import GEN, LENET, _ckpt, _pool_cfg

from mmdfkd.engine import build_runner


def _spaceship(ckpt, work_dir, max_iters=7):
    return Config(_pool_cfg(
        ckpt, work_dir, max_iters, type='SpaceshipNet',
        student=dict(copy.deepcopy(LENET.lenet5_half),
                     type='mmdfkd.FeatureMapClassifier'),
        synthesizer=dict(
            type='SpaceshipSynthesizer', num_classes=10, batch_size=8,
            image_size=(1, 32, 32), iterations=2, generator=GEN,
            loss_bn=dict(type='BNStatisticsLoss'),
            loss_oh=dict(type='mmpretrain.CrossEntropyLoss')),
        image_pool=dict(type='ImagePool', capacity=40,
                        keys=('images', 'feat0', 'feat1', 'feat2')),
        loss_kd=dict(type='KDLoss', tau=30., loss_weight=0.1),
        loss_gradcam=dict(type='GradCAMLoss'), warmup_rounds=0))


@pytest.mark.slow
def test_spaceship_net_resumes_bit_exactly(tmp_path):
    """Interrupted after iteration 4 (inside a KD stretch) and resumed ==
    uninterrupted."""
    ckpt = _ckpt(tmp_path)
    full = build_runner(_spaceship(ckpt, str(tmp_path / 'full')))
    full.train()
    half = build_runner(_spaceship(ckpt, str(tmp_path / 'half'), 4))
    half.train()
    cfg = _spaceship(ckpt, str(tmp_path / 'half'))
    cfg.update(resume=True, load_from=str(tmp_path / 'half' / 'iter_4.pth'))
    resumed = build_runner(cfg)
    resumed.train()
    a, b = full.model.state_dict(), resumed.model.state_dict()
    assert a.keys() == b.keys()
    assert any('synthesizer.generator.bn1.running_mean' in k for k in a)
    for key in a:
        if isinstance(a[key], torch.Tensor):
            assert torch.equal(a[key], b[key]), key
    pool_a = full.model.image_pool.sample(40)
    pool_b = resumed.model.image_pool.sample(40)
    for key in ('images', 'feat0', 'feat1', 'feat2'):
        assert torch.equal(pool_a[key], pool_b[key]), key
