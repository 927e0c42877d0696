import numpy as np
import pytest
from PIL import Image

from mmdfkd.datasets import MiniImageNet
from mmdfkd.registry import DATASETS
from mmdfkd.utils import DFKDInputError

# few-shot split: disjoint classes in train / val / test
WNIDS = dict(train=('n02', 'n01'), val=('n04', ), test=('n03', ))


def _fake_mini_imagenet(root, per_class=10):
    (root / 'images').mkdir()
    for csv_name, wnids in WNIDS.items():
        rows = ['filename,label']
        for wnid in wnids:
            for i in range(per_class):
                name = f'{wnid}{i:08d}.jpg'
                Image.new('RGB', (24, 20), (i, 0, 0)).save(
                    root / 'images' / name)
                rows.append(f'{name},{wnid}')
        (root / f'{csv_name}.csv').write_text('\n'.join(rows) + '\n')
    return root


def test_pooled_stratified_split(tmp_path):
    root = str(_fake_mini_imagenet(tmp_path))
    train = MiniImageNet(data_root=root, split='train')
    test = MiniImageNet(data_root=root, split='test')
    assert train.CLASSES == ('n01', 'n02', 'n03', 'n04')  # sorted wnids
    assert (len(train), len(test)) == (32, 8)  # 80 / 20 of the pool
    test_list = test.load_data_list()
    np.testing.assert_array_equal(
        np.bincount([d['gt_label'] for d in test_list]), [2, 2, 2, 2])
    assert not ({d['img_path'] for d in train.load_data_list()}
                & {d['img_path'] for d in test_list})
    for d in test_list:  # the label is the wnid of the file name
        wnid = d['img_path'].rsplit('/', 1)[-1][:3]
        assert test.CLASSES[d['gt_label']] == wnid
    again = MiniImageNet(data_root=root, split='test')
    assert again.load_data_list() == test_list


def test_loads_images_through_the_pipeline(tmp_path):
    dataset = DATASETS.build(
        dict(type='MiniImageNet', data_root=str(_fake_mini_imagenet(tmp_path)),
             split='train',
             pipeline=[
                 dict(type='mmpretrain.LoadImageFromFile'),
                 dict(type='mmpretrain.ResizeEdge', scale=18, edge='short'),
                 dict(type='mmpretrain.RandomCrop', crop_size=16),
                 dict(type='mmpretrain.PackInputs')
             ]))
    assert dataset[3]['inputs'].shape == (3, 16, 16)


def test_missing_csv(tmp_path):
    root = _fake_mini_imagenet(tmp_path)
    (root / 'val.csv').unlink()
    with pytest.raises(DFKDInputError, match='val.csv'):
        MiniImageNet(data_root=str(root))
