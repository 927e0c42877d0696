from .activation_loss import ActivationLoss
from .activation_region_loss import CAMLoss, GradCAMLoss
from .adversarial_divergence_loss import (JSCompetitionLoss,
                                          MaskedKLAdversarialLoss)
from .attention_transfer_loss import AttentionTransferLoss
from .bn_statistics_loss import BNStatisticsLoss
from .contrastive_loss import CMIContrastiveLoss
from .feature_l1_loss import FeatureL1Loss
from .fitnet_loss import FitNetLoss
from .image_prior_loss import ImageL2Loss, TVLoss
from .info_entropy_loss import InfoEntropyLoss
from .kd_loss import KDLoss
from .logit_l1_loss import LogitL1Loss
from .mode_seeking_loss import ModeSeekingLoss
from .one_hot_loss import OneHotLoss

__all__ = [
    'ActivationLoss', 'AttentionTransferLoss', 'BNStatisticsLoss', 'CAMLoss',
    'CMIContrastiveLoss', 'GradCAMLoss',
    'FeatureL1Loss', 'FitNetLoss', 'ImageL2Loss', 'InfoEntropyLoss',
    'JSCompetitionLoss', 'KDLoss', 'LogitL1Loss', 'MaskedKLAdversarialLoss',
    'ModeSeekingLoss', 'OneHotLoss', 'TVLoss'
]
