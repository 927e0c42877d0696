import gzip
import os.path as osp
import struct

import numpy as np
import pytest
from mmpretrain.datasets.mnist import read_sn3_pascalvincent_tensor

from mmdfkd.datasets import GzFashionMNIST
from mmdfkd.utils import DFKDInputError

DEBIAN_ROOT = '/usr/share/datasets/fashion-mnist'
needs_debian = pytest.mark.skipif(
    not osp.isfile(osp.join(DEBIAN_ROOT, 't10k-images-idx3-ubyte.gz')),
    reason=f'Fashion-MNIST not installed in {DEBIAN_ROOT} '
    '(apt-get install dataset-fashion-mnist)')


def _idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack('>HBB', 0, 0x08, array.ndim)
    header += struct.pack(f'>{array.ndim}I', *array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write(path, array, gz=True):
    data = _idx_bytes(array)
    if gz:
        with gzip.open(str(path) + '.gz', 'wb') as f:
            f.write(data)
    else:
        with open(path, 'wb') as f:
            f.write(data)


def _fake_split(root, prefix, n, seed, gz=True):
    rng = np.random.default_rng(seed)
    imgs = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=(n, ), dtype=np.uint8)
    _write(root / f'{prefix}-images-idx3-ubyte', imgs, gz)
    _write(root / f'{prefix}-labels-idx1-ubyte', labels, gz)
    return imgs, labels


def _check_equal(dataset, imgs, labels):
    assert len(dataset) == len(imgs)
    for i in (0, len(imgs) // 2, len(imgs) - 1):
        info = dataset.get_data_info(i)
        assert info['img'].dtype == np.uint8
        assert info['gt_label'].dtype == np.int64
        np.testing.assert_array_equal(info['img'], imgs[i])
        assert int(info['gt_label']) == int(labels[i])


def test_fake_gz_and_plain_files(tmp_path):
    test_imgs, test_labels = _fake_split(tmp_path, 't10k', 7, 0, gz=True)
    train_imgs, train_labels = _fake_split(tmp_path, 'train', 11, 1, gz=False)
    _check_equal(
        GzFashionMNIST(data_root=str(tmp_path), split='test'), test_imgs,
        test_labels)
    _check_equal(
        GzFashionMNIST(data_root=str(tmp_path), split='train'), train_imgs,
        train_labels)


def test_split_is_authoritative(tmp_path):
    test_imgs, test_labels = _fake_split(tmp_path, 't10k', 5, 0)
    train_imgs, train_labels = _fake_split(tmp_path, 'train', 9, 1)
    # test_mode does not choose the files, split does
    _check_equal(
        GzFashionMNIST(data_root=str(tmp_path), split='test', test_mode=False),
        test_imgs, test_labels)
    _check_equal(
        GzFashionMNIST(data_root=str(tmp_path), split='train', test_mode=True),
        train_imgs, train_labels)


def test_only_requested_split_needed(tmp_path):
    _fake_split(tmp_path, 't10k', 3, 0)
    assert len(GzFashionMNIST(data_root=str(tmp_path), split='test')) == 3
    with pytest.raises(DFKDInputError) as err:
        GzFashionMNIST(data_root=str(tmp_path), split='train')
    msg = str(err.value)
    assert 'train-images-idx3-ubyte.gz' in msg
    assert 't10k' not in msg


def test_missing_root_raises(tmp_path):
    root = tmp_path / 'nowhere'
    with pytest.raises(DFKDInputError) as err:
        GzFashionMNIST(data_root=str(root), split='test')
    msg = str(err.value)
    assert str(root) in msg
    assert 't10k-images-idx3-ubyte.gz' in msg
    assert 'apt-get install dataset-fashion-mnist' in msg
    assert 'download=True' in msg
    assert not root.exists()


def test_corrupt_file_raises(tmp_path):
    _fake_split(tmp_path, 't10k', 3, 0)
    with gzip.open(tmp_path / 't10k-labels-idx1-ubyte.gz', 'wb') as f:
        f.write(_idx_bytes(np.zeros(4, dtype=np.uint8))[:-2])
    with pytest.raises(DFKDInputError, match='truncated'):
        GzFashionMNIST(data_root=str(tmp_path), split='test')


def test_bad_split(tmp_path):
    with pytest.raises(ValueError, match="'train', 'test'"):
        GzFashionMNIST(data_root=str(tmp_path), split='val')


@needs_debian
@pytest.mark.parametrize('split, prefix, size', [
    ('test', 't10k', 10000),
    ('train', 'train', 60000),
])
def test_debian_files(split, prefix, size):
    dataset = GzFashionMNIST(data_root=DEBIAN_ROOT, split=split)
    assert len(dataset) == size
    # compare with mmpretrain's independent reader of the same .gz files
    imgs = read_sn3_pascalvincent_tensor(
        osp.join(DEBIAN_ROOT, f'{prefix}-images-idx3-ubyte.gz')).numpy()
    labels = read_sn3_pascalvincent_tensor(
        osp.join(DEBIAN_ROOT, f'{prefix}-labels-idx1-ubyte.gz')).numpy()
    assert imgs.shape == (size, 28, 28)
    _check_equal(dataset, imgs, labels)
    all_labels = [
        int(dataset.get_data_info(i)['gt_label']) for i in range(len(dataset))
    ]
    counts = np.bincount(all_labels, minlength=10)
    assert np.all(counts == size // 10)
