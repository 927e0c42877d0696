import numpy as np
import pytest
import torch
from scipy.io import savemat

from mmdfkd.datasets import SVHN
from mmdfkd.registry import DATASETS
from mmdfkd.utils import DFKDInputError


def _fake_mat(path, n, seed):
    """An official-format file: X (32, 32, 3, N) uint8, y (N, 1) in 1..10."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(32, 32, 3, n), dtype=np.uint8)
    y = rng.integers(1, 11, size=(n, 1), dtype=np.uint8)
    y[0, 0] = 10  # the digit 0
    savemat(str(path), {'X': x, 'y': y})
    return x, y


def test_fake_mat_files(tmp_path):
    x, y = _fake_mat(tmp_path / 'test_32x32.mat', 5, 0)
    _fake_mat(tmp_path / 'train_32x32.mat', 7, 1)
    dataset = SVHN(data_root=str(tmp_path), split='test')
    assert len(dataset) == 5
    assert len(SVHN(data_root=str(tmp_path), split='train')) == 7
    for i in range(5):
        info = dataset.get_data_info(i)
        assert info['img'].shape == (32, 32, 3)
        assert info['img'].dtype == np.uint8
        np.testing.assert_array_equal(info['img'], x[..., i])
        assert info['gt_label'].dtype == np.int64
        assert int(info['gt_label']) == int(y[i, 0]) % 10
    assert int(dataset.get_data_info(0)['gt_label']) == 0  # 10 -> 0
    assert dataset.CLASSES == tuple(str(i) for i in range(10))


def test_pipeline_from_registry(tmp_path):
    x, _ = _fake_mat(tmp_path / 'test_32x32.mat', 3, 0)
    dataset = DATASETS.build(
        dict(type='SVHN', data_root=str(tmp_path), split='test',
             pipeline=[dict(type='mmpretrain.PackInputs')]))
    inputs = dataset[1]['inputs']
    assert inputs.shape == (3, 32, 32)  # RGB, channels first
    assert torch.equal(inputs, torch.from_numpy(x[..., 1]).permute(2, 0, 1))


def test_missing_file_names_file_and_fix(tmp_path):
    _fake_mat(tmp_path / 'test_32x32.mat', 3, 0)
    with pytest.raises(DFKDInputError, match='train_32x32.mat') as e:
        SVHN(data_root=str(tmp_path), split='train')
    assert 'http://ufldl.stanford.edu/housenumbers/' in str(e.value)
    assert 'download=True' in str(e.value)


def test_corrupt_file_and_bad_args(tmp_path):
    (tmp_path / 'test_32x32.mat').write_bytes(b'not a mat file')
    with pytest.raises(DFKDInputError, match='test_32x32.mat'):
        SVHN(data_root=str(tmp_path), split='test')
    savemat(str(tmp_path / 'train_32x32.mat'), {'Z': np.zeros(3)})
    with pytest.raises(DFKDInputError, match='no X / y'):
        SVHN(data_root=str(tmp_path), split='train')
    with pytest.raises(ValueError, match='split'):
        SVHN(data_root=str(tmp_path), split='val')
    with pytest.raises(DFKDInputError, match='data_root'):
        SVHN(split='test')
