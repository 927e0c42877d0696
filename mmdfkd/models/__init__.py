from .dafl_lenet5 import DAFLLeNet5
from .wide_resnet import WideResNet

__all__ = ['DAFLLeNet5', 'WideResNet']
