import torch
from mmengine.dataset import default_collate

from mmdfkd.registry import DATASETS, MODELS


def test_codes_depend_only_on_seed_and_index():
    a = DATASETS.build(dict(type='LatentDataset', latent_dim=8, seed=3))
    b = DATASETS.build(dict(type='LatentDataset', latent_dim=8, seed=3))
    c = DATASETS.build(dict(type='LatentDataset', latent_dim=8, seed=4))
    assert torch.equal(a[5]['inputs'], b[5]['inputs'])
    assert not torch.equal(a[5]['inputs'], a[6]['inputs'])
    assert not torch.equal(a[5]['inputs'], c[5]['inputs'])
    assert a[0]['inputs'].shape == (8, ) and a[0]['inputs'].dtype == \
        torch.float32


def test_codes_are_standard_normal():
    ds = DATASETS.build(dict(type='LatentDataset', latent_dim=64, seed=0))
    z = torch.stack([ds[i]['inputs'] for i in range(500)])
    assert abs(z.mean().item()) < 0.02 and abs(z.std().item() - 1) < 0.02


def test_several_codes_per_sample_and_default_seed():
    torch.manual_seed(11)
    ds = DATASETS.build(
        dict(type='LatentDataset', latent_dim=4, codes_per_sample=6))
    assert ds.seed == 11
    batch = default_collate([ds[i] for i in range(3)])
    assert batch['inputs'].shape == (3, 6, 4)


def test_preprocessor_passes_codes_and_normalises_images():
    from mmpretrain.structures import DataSample
    pre = MODELS.build(
        dict(type='DFKDDataPreprocessor', mean=[10.0], std=[2.0]))
    z = torch.randn(4, 6, 8)
    assert torch.equal(pre(dict(inputs=z), True)['inputs'], z)
    imgs = [torch.full((1, 4, 4), 14, dtype=torch.uint8) for _ in range(2)]
    out = pre(dict(inputs=imgs, data_samples=[DataSample()] * 2), False)
    assert out['inputs'].shape == (2, 1, 4, 4)
    assert torch.allclose(out['inputs'], torch.full((2, 1, 4, 4), 2.0))
    assert torch.allclose(pre.denormalize(out['inputs']),
                          torch.full((2, 1, 4, 4), 14 / 255))
