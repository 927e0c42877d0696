import os.path as osp
from typing import List, Optional

import mmengine.dist as dist
import numpy as np
from mmpretrain.datasets import BaseDataset

from mmdfkd.registry import DATASETS
from mmdfkd.utils import DFKDInputError


@DATASETS.register_module()
class SVHN(BaseDataset):
    """`SVHN <http://ufldl.stanford.edu/housenumbers/>`_ (Street View House
    Numbers, cropped digits) read from its official ``.mat`` files.

    mmpretrain 1.2 has no SVHN. Each split is one MATLAB file of the
    "Format 2" (cropped 32x32 digits) release: ``train_32x32.mat`` (73,257
    images), ``test_32x32.mat`` (26,032) or ``extra_32x32.mat`` (531,131),
    holding ``X`` of shape ``(32, 32, 3, N)`` (``uint8``, RGB) and ``y`` of
    shape ``(N, 1)`` with labels 1..10, where 10 is the digit 0. They are
    read with :func:`scipy.io.loadmat`; label 10 becomes 0, as torchvision
    does.

    Samples are stored as mmpretrain's ``CIFAR10`` stores them: ``img`` a
    ``(32, 32, 3)`` ``uint8`` RGB array (so normalise with ``to_rgb=False``),
    ``gt_label`` an ``int64`` scalar array.

    A missing file raises :class:`~mmdfkd.utils.DFKDInputError` naming the
    file and the fix, unless ``download=True`` (default False), which
    downloads the split's file (md5-checked) into the data folder.

    Args:
        data_root (str): Folder with the ``.mat`` files. Defaults to ''.
        split (str): ``'train'``, ``'test'`` or ``'extra'``. Defaults to
            ``'train'``.
        metainfo (dict, optional): Meta information, e.g. class names.
            Defaults to None.
        download (bool): Download the split's file when missing. Needs a
            network. Defaults to False.
        data_prefix (str): Sub-folder of ``data_root``. Defaults to ''.
        test_mode (bool): ``test_mode`` of :class:`BaseDataset`: whether a
            failing sample raises instead of being replaced. It does not
            choose the split. Defaults to False.
        **kwargs: Other keyword arguments of :class:`BaseDataset`
            (``pipeline``, ``indices``, ``lazy_init``, ...).
    """

    url_prefix = 'http://ufldl.stanford.edu/housenumbers/'
    # split -> (file name, md5), as in torchvision
    resources = dict(
        train=('train_32x32.mat', 'e26dedcc434d2e4c54c9b2d4a06d8373'),
        test=('test_32x32.mat', 'eb5a983be6a315427106f1b164d9cef3'),
        extra=('extra_32x32.mat', 'a93ce644f1a588dc4d68dda5feec44a7'))
    METAINFO = {'classes': tuple(str(i) for i in range(10))}

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 metainfo: Optional[dict] = None,
                 download: bool = False,
                 data_prefix: str = '',
                 test_mode: bool = False,
                 **kwargs) -> None:
        if split not in self.resources:
            raise ValueError(f'SVHN split must be one of '
                             f'{tuple(self.resources)}, but got {split!r}.')
        if not data_root and not data_prefix:
            raise DFKDInputError(
                'SVHN needs data_root, the folder with the official '
                f'{self.resources[split][0]} (from {self.url_prefix}).')
        self.split = split
        self.download = download
        super().__init__(
            ann_file='',
            metainfo=metainfo,
            data_root=data_root,
            data_prefix=dict(root=data_prefix),
            test_mode=test_mode,
            **kwargs)

    @property
    def file_path(self) -> str:
        """Path of the ``.mat`` file of ``self.split``."""
        filename = self.resources[self.split][0]
        return osp.join(self.data_prefix['root'], filename)

    def _missing_error(self) -> DFKDInputError:
        filename = self.resources[self.split][0]
        return DFKDInputError(
            f'SVHN split={self.split!r}: missing {filename} in the folder '
            f'{osp.abspath(self.data_prefix["root"])!r}. Fix: download '
            f'{self.url_prefix}{filename} into that folder (or set data_root '
            'to the folder that has it), or download=True where a network '
            'exists.')

    def load_data_list(self) -> List[dict]:
        """Load the images and labels of ``self.split``.

        Returns:
            list[dict]: One dict per image with ``img`` (``(32, 32, 3)``
            uint8, RGB) and ``gt_label`` (int64 scalar array, 0..9).
        """
        from mmpretrain.datasets.utils import download_url
        from scipy.io import loadmat

        path = self.file_path
        if not osp.isfile(path):
            if not self.download:
                raise self._missing_error()
            filename, md5 = self.resources[self.split]
            if dist.is_main_process():
                download_url(self.url_prefix + filename,
                             self.data_prefix['root'], filename, md5)
            dist.barrier()
            if not osp.isfile(path):
                raise self._missing_error()
        try:
            mat = loadmat(path)
        except Exception as e:  # scipy raises several types for bad files
            raise DFKDInputError(
                f'cannot read {path} ({type(e).__name__}: {e}): it is '
                'truncated or not a MATLAB file. Fix: download it again from '
                f'{self.url_prefix}.') from e
        if 'X' not in mat or 'y' not in mat:
            raise DFKDInputError(
                f'{path} has no X / y arrays: it is not an SVHN '
                'cropped-digits (*_32x32.mat) file.')
        imgs, labels = mat['X'], mat['y'].reshape(-1)  # (32, 32, 3, N), (N, )
        if imgs.ndim != 4 or imgs.shape[2] != 3 or \
                imgs.shape[3] != len(labels):
            raise DFKDInputError(
                f'{path}: X {imgs.shape} and y {mat["y"].shape} are not '
                '(H, W, 3, N) images with N labels.')
        if len(labels) and (labels.min() < 0 or labels.max() > 10):
            raise DFKDInputError(
                f'{path}: labels outside 1..10 ({labels.min()}..'
                f'{labels.max()}).')
        imgs = np.ascontiguousarray(
            imgs.transpose(3, 0, 1, 2).astype(np.uint8))  # (N, 32, 32, 3)
        labels = labels.astype(np.int64) % 10            # digit 0 is 10
        return [
            dict(img=img, gt_label=np.array(label, dtype=np.int64))
            for img, label in zip(imgs, labels)
        ]

    def extra_repr(self) -> List[str]:
        """The extra repr information of the dataset."""
        return [f'Split: \t{self.split}', f'File: \t{self.file_path}']
