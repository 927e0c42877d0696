from typing import Optional, Union

import numpy as np
from mmengine.dataset import BaseDataset
from torch.utils.data import Dataset

from mmdfkd.registry import DATASETS
from mmdfkd.utils import DFKDInputError


@DATASETS.register_module()
class FewShotSubset(Dataset):
    """A fixed, seeded random subset of a labelled dataset.

    The few real labelled images a method may use on top of data-free
    training, e.g. the attention aggregation of `CDFKD
    <https://arxiv.org/abs/2205.11845>`_, trained on 1 % of the training
    split (the ICME code takes the first ``data_num`` images; we draw them
    at random with a fixed seed, without replacement, so the subset does
    not depend on the file order). ``len(self)`` is the number of images
    used, and :attr:`indices` says which.

    Args:
        dataset (dict | Dataset): The full labelled dataset.
        num_samples (int, optional): How many images to keep. Give this or
            ``ratio``.
        ratio (float, optional): Fraction of the dataset to keep, rounded
            to the nearest integer, at least 1. Defaults to None.
        seed (int): Seed of the draw. Defaults to 0.
    """

    def __init__(self,
                 dataset: Union[dict, Dataset],
                 num_samples: Optional[int] = None,
                 ratio: Optional[float] = None,
                 seed: int = 0):
        if isinstance(dataset, dict):
            dataset = DATASETS.build(dataset)
        self.dataset = dataset
        total = len(dataset)
        if (num_samples is None) == (ratio is None):
            raise DFKDInputError(
                'FewShotSubset needs exactly one of `num_samples` or '
                f'`ratio`, got num_samples={num_samples}, ratio={ratio}.')
        if num_samples is None:
            num_samples = max(1, int(round(ratio * total)))
        if not 0 < num_samples <= total:
            raise DFKDInputError(
                f'FewShotSubset: num_samples={num_samples} is not in '
                f'[1, {total}] (the size of the dataset).')
        rng = np.random.default_rng(seed)
        self.indices = np.sort(rng.choice(total, num_samples, replace=False))
        self.metainfo = getattr(dataset, 'metainfo', {})

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, idx: int):
        return self.dataset[int(self.indices[idx])]

    def get_data_info(self, idx: int) -> dict:
        """The wrapped dataset's annotation of the ``idx``-th kept image."""
        if isinstance(self.dataset, BaseDataset):
            return self.dataset.get_data_info(int(self.indices[idx]))
        raise TypeError('the wrapped dataset has no get_data_info')
