"""The training "data" of a data-free run: seeded latent codes."""
from typing import Optional

import numpy as np
import torch
from torch.utils.data import Dataset

from mmdfkd.registry import DATASETS


@DATASETS.register_module()
class LatentDataset(Dataset):
    r"""Latent codes :math:`z \sim \mathcal{N}(0, I)`, one per index.

    Data-free training reads no images: the train dataloader yields only the
    generator's inputs. Code ``i`` is drawn from a generator seeded by
    ``(seed, i)``, so it depends on nothing but the seed and the index: the
    sampler (rank-sharded, seeded) decides which codes a rank sees, ranks see
    different codes, and a resumed run (whose ``ResumableSampler`` starts
    where the run stopped, :class:`~mmdfkd.engine.DFKDIterBasedTrainLoop`)
    sees the same codes as an uninterrupted one.

    Args:
        latent_dim (int): Size of each code.
        length (int): Number of distinct codes per epoch of the sampler.
            Defaults to 1_000_000.
        codes_per_sample (int): Codes per item; an item is ``(latent_dim,)``
            when 1 and ``(codes_per_sample, latent_dim)`` otherwise, for
            methods that draw several batches per iteration (DFAD's 5 student
            steps + 1 generator step). Defaults to 1.
        seed (int, optional): Seed of the codes. Defaults to None, which takes
            ``torch.initial_seed()`` when the dataset is built, i.e. the
            run's ``randomness.seed`` under the Runner.
    """

    def __init__(self,
                 latent_dim: int,
                 length: int = 1_000_000,
                 codes_per_sample: int = 1,
                 seed: Optional[int] = None):
        self.latent_dim = latent_dim
        self.length = length
        self.codes_per_sample = codes_per_sample
        self.seed = torch.initial_seed() % 2**63 if seed is None else seed
        self.metainfo = dict(latent_dim=latent_dim)

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, idx: int) -> dict:
        rng = np.random.default_rng((self.seed, int(idx)))
        shape = ((self.latent_dim, ) if self.codes_per_sample == 1 else
                 (self.codes_per_sample, self.latent_dim))
        z = rng.standard_normal(shape, dtype=np.float32)
        return dict(inputs=torch.from_numpy(z))
