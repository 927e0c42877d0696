import os.path as osp
from typing import List, Optional

import mmengine.dist as dist
import numpy as np
import torch
from mmpretrain.datasets import FashionMNIST
from mmpretrain.datasets.mnist import read_sn3_pascalvincent_tensor

from mmdfkd.registry import DATASETS
from mmdfkd.utils import DFKDInputError

# Where Debian's ``dataset-fashion-mnist`` package installs the .gz files.
DEBIAN_FASHION_MNIST_ROOT = '/usr/share/datasets/fashion-mnist'


def read_idx_ubyte(path: str) -> np.ndarray:
    """Read an unsigned-byte idx file (MNIST format), gzipped or not.

    mmpretrain's reader does the parsing; this adds one clear error for a
    missing, truncated or corrupt file.

    Returns:
        np.ndarray: ``uint8``, e.g. ``(N, 28, 28)`` images or ``(N, )``
        labels.
    """
    try:
        data = read_sn3_pascalvincent_tensor(path, strict=True)
    except (OSError, EOFError, AssertionError, KeyError, ValueError) as e:
        raise DFKDInputError(
            f'cannot read the idx file {path} ({type(e).__name__}: {e}): it '
            'is truncated or corrupt. Fix: re-install it (apt-get install '
            '--reinstall dataset-fashion-mnist) or replace it with an intact '
            'copy.') from e
    if data.dtype != torch.uint8:
        raise DFKDInputError(
            f'{path} is not an unsigned-byte idx file ({data.dtype}).')
    return data.numpy()


@DATASETS.register_module()
class GzFashionMNIST(FashionMNIST):
    r"""`Fashion-MNIST <https://arxiv.org/abs/1708.07747>`_ read straight
    from its idx files, gzipped or not, with the split chosen by ``split``.

    mmpretrain 1.2.0's ``MNIST``/``FashionMNIST`` need the four files
    gunzipped, all four even to load one split, and pick the files by
    ``test_mode`` instead of ``split`` (``split='test'`` alone loads the
    60000 training images). This class fixes the three points:

    - ``split`` alone decides: ``'train'`` reads ``train-*-idx*-ubyte``,
      ``'test'`` reads ``t10k-*-idx*-ubyte``, whatever ``test_mode`` is
      (``test_mode`` keeps its :class:`BaseDataset` meaning only).
    - Each file is read as ``<name>.gz`` if present, else as the gunzipped
      ``<name>``; only the two files of the requested split are needed.
    - Missing files raise :class:`~mmdfkd.utils.DFKDInputError` naming the
      folder, the file and the fix, unless ``download=True`` (default
      False), which defers to mmpretrain's download of all four files.

    Samples are stored as mmpretrain's ``MNIST`` stores them: ``img`` a
    ``(28, 28)`` ``uint8`` array, ``gt_label`` an ``int64`` scalar array.

    Args:
        data_root (str): Folder with the idx files. Defaults to
            ``'/usr/share/datasets/fashion-mnist'``, where Debian's
            ``dataset-fashion-mnist`` package puts the ``.gz`` files.
        split (str): ``'train'`` (60000 images) or ``'test'`` (10000).
            Defaults to ``'train'``.
        metainfo (dict, optional): Meta information, e.g. class names.
            Defaults to None.
        download (bool): Download the files when missing. Needs a network.
            Defaults to False.
        data_prefix (str): Sub-folder of ``data_root``. Defaults to ''.
        test_mode (bool): ``test_mode`` of :class:`BaseDataset`: whether a
            failing sample raises instead of being replaced. Defaults to
            False.
        **kwargs: Other keyword arguments of :class:`BaseDataset`
            (``pipeline``, ``indices``, ``lazy_init``, ...).
    """

    SPLITS = ('train', 'test')

    def __init__(self,
                 data_root: str = DEBIAN_FASHION_MNIST_ROOT,
                 split: str = 'train',
                 metainfo: Optional[dict] = None,
                 download: bool = False,
                 data_prefix: str = '',
                 test_mode: bool = False,
                 **kwargs) -> None:
        if split not in self.SPLITS:
            raise ValueError(f'{self.__class__.__name__} split must be one '
                             f'of {self.SPLITS}, but got {split!r}.')
        if not data_root and not data_prefix:
            raise DFKDInputError(
                f'{self.__class__.__name__} needs data_root, the folder with '
                'the Fashion-MNIST idx files (Debian\'s dataset-fashion-mnist '
                f'installs them in {DEBIAN_FASHION_MNIST_ROOT}).')
        super().__init__(
            data_root=data_root,
            split=split,
            metainfo=metainfo,
            download=download,
            data_prefix=data_prefix,
            test_mode=test_mode,
            **kwargs)

    def _split_files(self) -> List[str]:
        """The (.gz) names of the image and label files of ``self.split``."""
        file_list = (
            self.train_list if self.split == 'train' else self.test_list)
        return [name for name, _ in file_list]

    def _find_file(self, gz_name: str) -> Optional[str]:
        """Return the path of ``gz_name`` or of its gunzipped twin."""
        root = self.data_prefix['root']
        for name in (gz_name, gz_name[:-len('.gz')]):
            path = osp.join(root, name)
            if osp.isfile(path):
                return path
        return None

    def _check_exists(self) -> bool:
        """Whether both files of the requested split are present."""
        return all(self._find_file(n) is not None for n in self._split_files())

    def _missing_error(self) -> DFKDInputError:
        """Build the error for a split whose files are missing."""
        root = self.data_prefix['root']
        missing = [
            f'{n} (or {n[:-len(".gz")]})' for n in self._split_files()
            if self._find_file(n) is None
        ]
        return DFKDInputError(
            f'{self.__class__.__name__} split={self.split!r}: missing '
            f'{", ".join(missing)} in the folder {osp.abspath(root)!r}. Fix: '
            'apt-get install dataset-fashion-mnist, or set data_root to a '
            'folder with these files, or download=True where a network '
            'exists.')

    def load_data_list(self) -> List[dict]:
        """Load the images and labels of ``self.split``.

        Returns:
            list[dict]: One dict per image with ``img`` (``(28, 28)``
            uint8) and ``gt_label`` (int64 scalar array).
        """
        if not self._check_exists():
            if not self.download:
                raise self._missing_error()
            if dist.is_main_process():
                self._download()
            dist.barrier()
            if not self._check_exists():
                raise self._missing_error()

        img_name, label_name = self._split_files()
        img_path = self._find_file(img_name)
        label_path = self._find_file(label_name)
        imgs = read_idx_ubyte(img_path)  # (N, 28, 28) uint8
        labels = read_idx_ubyte(label_path)  # (N, ) uint8
        if imgs.ndim != 3 or labels.ndim != 1 or len(imgs) != len(labels):
            raise DFKDInputError(
                f'{img_path} ({imgs.shape}) and {label_path} '
                f'({labels.shape}) are not a matching (N, H, W) image file '
                'and (N, ) label file.')
        return [
            dict(img=img, gt_label=np.array(label, dtype=np.int64))
            for img, label in zip(imgs, labels)
        ]
