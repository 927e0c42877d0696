import os
import os.path as osp
from typing import List, Sequence

import numpy as np
from mmpretrain.datasets import BaseDataset

from mmdfkd.registry import DATASETS
from mmdfkd.utils import DFKDInputError


@DATASETS.register_module()
class Caltech101Split(BaseDataset):
    """Caltech-101 with the split of the data-free KD papers: 101 classes,
    stratified 80/20.

    DFAD and CDFKD-MFS drop ``BACKGROUND_Google`` and split the remaining
    images of each class 80/20 at random with seed 1 (method notes §3.7).
    mmpretrain's ``Caltech101`` reads fixed annotation files instead (102
    classes with the background, 30 training images per class), so its
    numbers are not comparable. This class scans the official folder::

        data_root/101_ObjectCategories/<class>/<image>.jpg

    takes the classes in sorted order (label = index), each class's files
    in sorted order, and splits them once with
    ``StratifiedShuffleSplit(n_splits=1, test_size=test_ratio,
    random_state=split_seed)``: the same split in every process and run.
    With the defaults the 8,677 images give 6,941 train and 1,736 test
    images. The official code's own split (6,983 training images reported)
    is not public, so the exact image lists may differ.

    Args:
        data_root (str): The folder that holds ``101_ObjectCategories``.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        test_ratio (float): Fraction of every class in the test split.
            Defaults to 0.2.
        split_seed (int): ``random_state`` of the split. Defaults to 1.
        data_prefix (str): Image folder, relative to ``data_root``.
            Defaults to ``'101_ObjectCategories'``.
        exclude (Sequence[str]): Class folders to drop. Defaults to
            ``('BACKGROUND_Google', )``.
        extensions (Sequence[str]): Image file extensions, lower case.
            Defaults to ``('.jpg', '.jpeg', '.png')``.
        **kwargs: Other keyword arguments of :class:`BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).
    """

    SPLITS = ('train', 'test')

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 test_ratio: float = 0.2,
                 split_seed: int = 1,
                 data_prefix: str = '101_ObjectCategories',
                 exclude: Sequence[str] = ('BACKGROUND_Google', ),
                 extensions: Sequence[str] = ('.jpg', '.jpeg', '.png'),
                 **kwargs) -> None:
        if split not in self.SPLITS:
            raise ValueError(f'Caltech101Split split must be one of '
                             f'{self.SPLITS}, but got {split!r}.')
        if not 0 < test_ratio < 1:
            raise ValueError(
                f'test_ratio must be in (0, 1), got {test_ratio}.')
        self.split = split
        self.test_ratio = test_ratio
        self.split_seed = split_seed
        self.exclude = tuple(exclude)
        self.extensions = tuple(e.lower() for e in extensions)
        super().__init__(
            ann_file='', data_root=data_root, data_prefix=data_prefix,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Scan the class folders and keep ``self.split``.

        Returns:
            list[dict]: ``img_path`` and ``gt_label`` (int) per image, in
            class then file-name order.
        """
        from sklearn.model_selection import StratifiedShuffleSplit

        root = self.img_prefix
        if not osp.isdir(root):
            raise DFKDInputError(
                f'Caltech101Split: no folder {osp.abspath(root)!r}. Fix: '
                'download Caltech-101 (https://data.caltech.edu/records/'
                'mzrjq-6wc02), extract 101_ObjectCategories.tar.gz and set '
                'data_root to the folder that holds 101_ObjectCategories.')
        classes = sorted(
            d for d in os.listdir(root)
            if osp.isdir(osp.join(root, d)) and d not in self.exclude)
        paths, labels = [], []
        for label, name in enumerate(classes):
            files = sorted(
                f for f in os.listdir(osp.join(root, name))
                if f.lower().endswith(self.extensions))
            paths += [osp.join(root, name, f) for f in files]
            labels += [label] * len(files)
        if not paths:
            raise DFKDInputError(
                f'Caltech101Split: no images in {osp.abspath(root)!r}.')
        labels = np.array(labels)
        splitter = StratifiedShuffleSplit(
            n_splits=1, test_size=self.test_ratio,
            random_state=self.split_seed)
        train_idx, test_idx = next(
            splitter.split(np.zeros(len(labels)), labels))
        keep = np.sort(train_idx if self.split == 'train' else test_idx)
        self._metainfo['classes'] = tuple(classes)
        return [dict(img_path=paths[i], gt_label=int(labels[i]))
                for i in keep]

    def extra_repr(self) -> List[str]:
        """The extra repr information of the dataset."""
        return [
            f'Split: \t{self.split}',
            f'Test ratio / seed: \t{self.test_ratio} / {self.split_seed}',
            f'Root of dataset: \t{self.data_root}',
        ]
