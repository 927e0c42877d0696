import csv
import os.path as osp
from typing import List, Sequence

import numpy as np
from mmpretrain.datasets import BaseDataset

from mmdfkd.registry import DATASETS
from mmdfkd.utils import DFKDInputError


@DATASETS.register_module()
class MiniImageNet(BaseDataset):
    """mini-ImageNet as a 100-class classification set: all 60,000 images
    pooled and split stratified 80/20.

    The protocol of CDFKD-MFS (method notes §3.7), *not* the few-shot
    split: the images of the three CSV files of Ravi & Larochelle's split
    (``train.csv``, ``val.csv``, ``test.csv``: 64 + 16 + 20 classes, 600
    images each, rows ``filename,label`` with a WordNet id as label) are
    pooled; classes are the sorted WordNet ids (label = index); the pool is
    split once with ``StratifiedShuffleSplit(n_splits=1,
    test_size=test_ratio, random_state=split_seed)``, 48,000 train and
    12,000 test images with the defaults (480 / 120 per class). Expected
    layout::

        data_root/train.csv, val.csv, test.csv
        data_root/images/<filename>        # e.g. n0153282900000005.jpg

    The official code's exact image lists are not public, so the split may
    differ from it image by image (not in size).

    Args:
        data_root (str): The folder with the CSV files.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        test_ratio (float): Fraction of every class in the test split.
            Defaults to 0.2.
        split_seed (int): ``random_state`` of the split. Defaults to 1.
        data_prefix (str): Image folder, relative to ``data_root``.
            Defaults to ``'images'``.
        csv_files (Sequence[str]): CSV files to pool, relative to
            ``data_root``. Defaults to ``('train.csv', 'val.csv',
            'test.csv')``.
        **kwargs: Other keyword arguments of :class:`BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).
    """

    SPLITS = ('train', 'test')

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 test_ratio: float = 0.2,
                 split_seed: int = 1,
                 data_prefix: str = 'images',
                 csv_files: Sequence[str] = ('train.csv', 'val.csv',
                                             'test.csv'),
                 **kwargs) -> None:
        if split not in self.SPLITS:
            raise ValueError(f'MiniImageNet split must be one of '
                             f'{self.SPLITS}, but got {split!r}.')
        if not 0 < test_ratio < 1:
            raise ValueError(
                f'test_ratio must be in (0, 1), got {test_ratio}.')
        self.split = split
        self.test_ratio = test_ratio
        self.split_seed = split_seed
        self.csv_files = tuple(csv_files)
        super().__init__(
            ann_file='', data_root=data_root, data_prefix=data_prefix,
            **kwargs)

    def _read_csv(self, name: str) -> List[tuple]:
        path = osp.join(self.data_root, name)
        if not osp.isfile(path):
            raise DFKDInputError(
                f'MiniImageNet: missing {path!r}. Fix: put the train.csv, '
                'val.csv and test.csv of the Ravi & Larochelle split and the '
                '60,000 images (in images/) under data_root.')
        with open(path, newline='') as f:
            rows = [r for r in csv.reader(f) if r]
        if rows and rows[0][:2] == ['filename', 'label']:
            rows = rows[1:]
        if any(len(r) != 2 for r in rows):
            raise DFKDInputError(
                f'{path}: expected rows "filename,label".')
        return [tuple(r) for r in rows]

    def load_data_list(self) -> List[dict]:
        """Pool the CSV files and keep ``self.split``.

        Returns:
            list[dict]: ``img_path`` and ``gt_label`` (int) per image, in
            the pooled CSV order.
        """
        from sklearn.model_selection import StratifiedShuffleSplit

        rows = [r for name in self.csv_files for r in self._read_csv(name)]
        if not rows:
            raise DFKDInputError(
                f'MiniImageNet: the CSV files in {self.data_root!r} are '
                'empty.')
        classes = sorted({wnid for _, wnid in rows})
        index = {wnid: i for i, wnid in enumerate(classes)}
        labels = np.array([index[wnid] for _, wnid in rows])
        splitter = StratifiedShuffleSplit(
            n_splits=1, test_size=self.test_ratio,
            random_state=self.split_seed)
        train_idx, test_idx = next(
            splitter.split(np.zeros(len(labels)), labels))
        keep = np.sort(train_idx if self.split == 'train' else test_idx)
        self._metainfo['classes'] = tuple(classes)
        return [
            dict(img_path=osp.join(self.img_prefix, rows[i][0]),
                 gt_label=int(labels[i])) for i in keep
        ]

    def extra_repr(self) -> List[str]:
        """The extra repr information of the dataset."""
        return [
            f'Split: \t{self.split}',
            f'Test ratio / seed: \t{self.test_ratio} / {self.split_seed}',
            f'Root of dataset: \t{self.data_root}',
        ]
