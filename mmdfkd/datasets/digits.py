from typing import List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn.functional as F
from mmpretrain.datasets import BaseDataset

from mmdfkd.registry import DATASETS

# Per-pixel mean and standard deviation, in 0..255 units, of the default
# training split (img_size=32, test_ratio=0.3, split_seed=0: 1257 images),
# over all 1257 * 32 * 32 stored uint8 pixels, computed once with
# ``np.stack([d['img'] for d in Digits(split='train')]).astype(np.float64)``
# ``.mean()`` and ``.std()`` (population std) -> 77.9089..., 82.5528...
DIGITS_MEAN = (77.909, )
DIGITS_STD = (82.553, )


@DATASETS.register_module()
class Digits(BaseDataset):
    r"""scikit-learn's 8x8 handwritten digits as an mmpretrain dataset.

    The 1797 images of :func:`sklearn.datasets.load_digits` (a copy of the
    test set of the `UCI optical recognition of handwritten digits
    <https://archive.ics.uci.edu/dataset/80>`_ data, shipped inside
    scikit-learn, so nothing is downloaded) give a tiny MNIST-like benchmark
    that runs on a CPU in seconds. No data-free KD paper reports on it, so
    its numbers are self-referenced.

    The data are split once, stratified by class, with
    ``train_test_split(..., test_size=test_ratio, stratify=y,
    random_state=split_seed)``; the split is the same in every process and
    every run, and each split keeps the original sample order. Each image
    (values 0..16) is scaled to 0..255, resized to ``img_size`` x
    ``img_size`` with bilinear interpolation, rounded and stored as an
    ``(H, W)`` ``uint8`` array in ``img``, with the label as an ``int64``
    numpy scalar in ``gt_label``, exactly like mmpretrain's ``MNIST``, so
    ``PackInputs`` gives ``(1, H, W)`` tensors.

    With the defaults the train split has 1257 images and the test split
    540. For normalisation, :attr:`MEAN` and :attr:`STD` hold the pixel
    mean and std of the default train split in 0..255 units, e.g.
    ``data_preprocessor=dict(mean=Digits.MEAN, std=Digits.STD)`` or, in a
    config, ``mean=[77.909], std=[82.553]``.

    Args:
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        img_size (int): Side of the stored square images. Defaults to 32,
            the input size of the LeNet-5 used in data-free KD.
        test_ratio (float): Fraction of the 1797 images in the test split.
            Defaults to 0.3.
        split_seed (int): ``random_state`` of the split. Defaults to 0.
        data_root (str): Unused (the data ship with scikit-learn); kept for
            interface compatibility. Defaults to ''.
        pipeline (Sequence): Processing pipeline. Defaults to ``()``.
        test_mode (bool): ``test_mode`` of :class:`BaseDataset`: whether a
            failing sample raises instead of being replaced. It does not
            choose the split. Defaults to False.
        indices (int | Sequence[int], optional): Keep only these samples
            (or the first ``indices``). Defaults to None, i.e. all.
        metainfo (dict, optional): Meta information, e.g. class names.
            Defaults to None.
        **kwargs: Other keyword arguments of :class:`BaseDataset`
            (``lazy_init``, ``serialize_data``, ...).
    """

    METAINFO = {'classes': tuple(str(i) for i in range(10))}
    MEAN = list(DIGITS_MEAN)
    STD = list(DIGITS_STD)
    SPLITS = ('train', 'test')

    def __init__(self,
                 split: str = 'train',
                 img_size: int = 32,
                 test_ratio: float = 0.3,
                 split_seed: int = 0,
                 data_root: str = '',
                 pipeline: Sequence = (),
                 test_mode: bool = False,
                 indices: Optional[Union[int, Sequence[int]]] = None,
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        if split not in self.SPLITS:
            raise ValueError(f'Digits split must be one of {self.SPLITS}, '
                             f'but got {split!r}.')
        if not 0 < test_ratio < 1:
            raise ValueError('Digits test_ratio must be in (0, 1), but got '
                             f'{test_ratio}.')
        if img_size < 1:
            raise ValueError(f'Digits img_size must be >= 1, got {img_size}.')
        self.split = split
        self.img_size = img_size
        self.test_ratio = test_ratio
        self.split_seed = split_seed
        super().__init__(
            ann_file='',
            metainfo=metainfo,
            data_root=data_root,
            pipeline=pipeline,
            test_mode=test_mode,
            indices=indices,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Load, split and resize the digits.

        Returns:
            list[dict]: One dict per image with ``img`` (``(H, W)`` uint8)
            and ``gt_label`` (int64 scalar array).
        """
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        digits = load_digits()
        images = digits.images  # (1797, 8, 8) float64 in 0..16
        labels = digits.target  # (1797, )
        train_idx, test_idx = train_test_split(
            np.arange(len(labels)),
            test_size=self.test_ratio,
            stratify=labels,
            random_state=self.split_seed)
        idx = np.sort(train_idx if self.split == 'train' else test_idx)

        x = torch.from_numpy(images[idx] * (255.0 / 16.0)).float()
        x = x.unsqueeze(1)  # (n, 1, 8, 8) in 0..255
        if self.img_size != x.shape[-1]:
            x = F.interpolate(
                x,
                size=(self.img_size, self.img_size),
                mode='bilinear',
                align_corners=False)  # (n, 1, S, S)
        x = x.round().clamp(0, 255).to(torch.uint8).squeeze(1)  # (n, S, S)
        imgs = x.numpy()

        return [
            dict(img=img, gt_label=np.array(label, dtype=np.int64))
            for img, label in zip(imgs, labels[idx])
        ]

    def extra_repr(self) -> List[str]:
        """The extra repr information of the dataset."""
        return [
            f'Split: \t{self.split}',
            f'Image size: \t{self.img_size}',
            f'Test ratio / seed: \t{self.test_ratio} / {self.split_seed}',
        ]
