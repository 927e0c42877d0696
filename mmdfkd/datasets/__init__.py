from .caltech101_split import Caltech101Split
from .digits import Digits
from .few_shot_subset import FewShotSubset
from .gz_fashion_mnist import GzFashionMNIST
from .latent_dataset import LatentDataset
from .mini_imagenet import MiniImageNet
from .samplers import ResumableSampler
from .svhn import SVHN

__all__ = [
    'Caltech101Split', 'Digits', 'FewShotSubset', 'GzFashionMNIST',
    'ResumableSampler',
    'LatentDataset', 'MiniImageNet', 'SVHN'
]
