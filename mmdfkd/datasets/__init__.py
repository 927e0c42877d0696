from .digits import Digits
from .gz_fashion_mnist import GzFashionMNIST
from .latent_dataset import LatentDataset

__all__ = ['Digits', 'GzFashionMNIST', 'LatentDataset']
