import numpy as np
import pytest
from PIL import Image

from mmdfkd.datasets import Caltech101Split
from mmdfkd.registry import DATASETS
from mmdfkd.utils import DFKDInputError

CLASSES = ('Faces', 'accordion', 'airplanes')  # sorted, as on disk


def _fake_caltech(root, per_class=(10, 5, 15)):
    """101_ObjectCategories with a background folder and 3 classes."""
    cats = root / '101_ObjectCategories'
    for name, n in zip(('BACKGROUND_Google', ) + CLASSES, (4, ) + per_class):
        (cats / name).mkdir(parents=True)
        for i in range(n):
            Image.new('RGB', (20 + i, 16), (i, 0, 0)).save(
                cats / name / f'image_{i + 1:04d}.jpg')
        (cats / name / 'notes.txt').write_text('not an image')
    return root


def test_split_is_stratified_seeded_and_disjoint(tmp_path):
    root = str(_fake_caltech(tmp_path))
    train = Caltech101Split(data_root=root, split='train')
    test = Caltech101Split(data_root=root, split='test')
    assert train.CLASSES == test.CLASSES == CLASSES  # no background
    assert len(train) + len(test) == 30
    assert len(test) == 6  # 20 %
    train_paths = {d['img_path'] for d in train.load_data_list()}
    test_paths = {d['img_path'] for d in test.load_data_list()}
    assert not train_paths & test_paths
    assert all('BACKGROUND_Google' not in p for p in train_paths)
    # stratified: every class keeps ~20 % in the test split
    counts = np.bincount([d['gt_label'] for d in test.load_data_list()],
                         minlength=3)
    np.testing.assert_array_equal(counts, [2, 1, 3])
    # the same split every time; another seed gives another one
    again = Caltech101Split(data_root=root, split='test')
    assert [d['img_path'] for d in again.load_data_list()] == \
        [d['img_path'] for d in test.load_data_list()]
    other = Caltech101Split(data_root=root, split='test', split_seed=2)
    assert {d['img_path'] for d in other.load_data_list()} != test_paths


def test_loads_images_through_the_pipeline(tmp_path):
    dataset = DATASETS.build(
        dict(type='Caltech101Split', data_root=str(_fake_caltech(tmp_path)),
             split='test',
             pipeline=[
                 dict(type='mmpretrain.LoadImageFromFile'),
                 dict(type='mmpretrain.ResizeEdge', scale=32, edge='short'),
                 dict(type='mmpretrain.CenterCrop', crop_size=32),
                 dict(type='mmpretrain.PackInputs')
             ]))
    sample = dataset[0]
    assert sample['inputs'].shape == (3, 32, 32)
    assert int(sample['data_samples'].gt_label) in range(3)


def test_missing_folder(tmp_path):
    with pytest.raises(DFKDInputError, match='101_ObjectCategories'):
        Caltech101Split(data_root=str(tmp_path))
    with pytest.raises(ValueError, match='split'):
        Caltech101Split(data_root=str(tmp_path), split='val')
