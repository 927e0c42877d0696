from .activation_loss import ActivationLoss
from .bn_statistics_loss import BNStatisticsLoss
from .feature_l1_loss import FeatureL1Loss
from .info_entropy_loss import InfoEntropyLoss
from .kd_loss import KDLoss
from .logit_l1_loss import LogitL1Loss
from .mode_seeking_loss import ModeSeekingLoss
from .one_hot_loss import OneHotLoss

__all__ = [
    'ActivationLoss', 'BNStatisticsLoss', 'FeatureL1Loss', 'InfoEntropyLoss',
    'KDLoss', 'LogitL1Loss', 'ModeSeekingLoss', 'OneHotLoss'
]
