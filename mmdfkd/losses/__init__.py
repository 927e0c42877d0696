from .activation_loss import ActivationLoss
from .info_entropy_loss import InfoEntropyLoss
from .kd_loss import KDLoss
from .logit_l1_loss import LogitL1Loss
from .mode_seeking_loss import ModeSeekingLoss
from .one_hot_loss import OneHotLoss

__all__ = [
    'ActivationLoss', 'InfoEntropyLoss', 'KDLoss', 'LogitL1Loss',
    'ModeSeekingLoss', 'OneHotLoss'
]
