from .export_weights_hook import ExportWeightsHook
from .synthetic_image_hook import SyntheticImageHook
from .teacher_check_hook import TeacherCheckHook

__all__ = ['ExportWeightsHook', 'SyntheticImageHook', 'TeacherCheckHook']
