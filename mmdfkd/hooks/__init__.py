from .export_weights_hook import ExportWeightsHook
from .finite_loss_hook import FiniteLossHook
from .image_pool_hook import ImagePoolHook
from .synthetic_image_hook import SyntheticImageHook
from .teacher_check_hook import TeacherCheckHook

__all__ = [
    'ExportWeightsHook', 'FiniteLossHook', 'ImagePoolHook',
    'SyntheticImageHook', 'TeacherCheckHook'
]
