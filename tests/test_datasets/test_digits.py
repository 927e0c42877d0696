import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmpretrain.datasets.transforms import PackInputs

from mmdfkd.datasets import Digits
from mmdfkd.datasets.digits import DIGITS_MEAN, DIGITS_STD
from mmdfkd.registry import DATASETS


def _infos(dataset):
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def _labels(dataset):
    return np.array([int(d['gt_label']) for d in _infos(dataset)])


def test_split_sizes_and_stratification():
    train, test = Digits(split='train'), Digits(split='test')
    assert len(train) + len(test) == 1797
    assert (len(train), len(test)) == (1257, 540)
    train_counts = np.bincount(_labels(train), minlength=10)
    test_counts = np.bincount(_labels(test), minlength=10)
    assert train_counts.sum() == 1257 and test_counts.sum() == 540
    # stratified: every class has ~30 % of its images in the test split
    ratio = test_counts / (train_counts + test_counts)
    assert np.all(np.abs(ratio - 0.3) < 0.01)


def test_disjoint_and_complete():
    """Train and test images together are exactly the 1797 digits."""
    from sklearn.datasets import load_digits
    images = load_digits().images
    train = Digits(split='train', img_size=8)
    test = Digits(split='test', img_size=8)
    ours = np.stack([d['img'] for d in _infos(train) + _infos(test)])
    expected = np.round(images * 255.0 / 16.0).astype(np.uint8)
    # same multiset of images (sort rows by their bytes)
    key = lambda a: sorted(x.tobytes() for x in a)  # noqa: E731
    assert key(ours) == key(expected)


def test_deterministic():
    a, b = Digits(split='test'), Digits(split='test')
    assert all(
        np.array_equal(x['img'], y['img']) and x['gt_label'] == y['gt_label']
        for x, y in zip(_infos(a), _infos(b)))
    other = Digits(split='test', split_seed=1)
    assert not all(
        np.array_equal(x['img'], y['img'])
        for x, y in zip(_infos(a), _infos(other)))


def test_sample_format():
    dataset = Digits(split='train')
    info = dataset[0]
    assert info['img'].shape == (32, 32) and info['img'].dtype == np.uint8
    assert info['gt_label'].dtype == np.int64 and info['gt_label'].ndim == 0
    labels = _labels(dataset)
    assert labels.min() == 0 and labels.max() == 9
    assert dataset.metainfo['classes'] == tuple('0123456789')
    imgs = np.stack([d['img'] for d in _infos(dataset)])
    assert imgs.max() == 255 and imgs.min() == 0
    # the hard-coded normalisation matches the data
    assert imgs.mean() == pytest.approx(DIGITS_MEAN[0], abs=1e-3)
    assert imgs.std() == pytest.approx(DIGITS_STD[0], abs=1e-3)
    assert Digits.MEAN == [DIGITS_MEAN[0]]


def test_pack_inputs_and_registry():
    init_default_scope('mmdfkd')
    dataset = DATASETS.build(
        dict(type='Digits', split='test', img_size=28, indices=5))
    assert len(dataset) == 5
    dataset.pipeline.transforms.append(PackInputs())
    packed = dataset[0]
    assert packed['inputs'].shape == (1, 28, 28)
    assert packed['inputs'].dtype == torch.uint8
    assert 0 <= int(packed['data_samples'].gt_label) <= 9


def test_bad_split():
    with pytest.raises(ValueError, match="'train', 'test'"):
        Digits(split='val')
