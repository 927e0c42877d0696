from .dafl_lenet5 import DAFLLeNet5
from .feature_map_classifier import (FeatureMapClassifier, matching_stages,
                                     pair_stages, request_stages,
                                     stage_outputs, stage_shapes, use_stages)
from .header_attention import HeaderAttention
from .multi_header_classifier import MultiHeaderClassifier
from .multi_header_lenet5 import MultiHeaderLeNet5
from .multi_header_resnet import MultiHeaderResNet
from .multi_header_wide_resnet import MultiHeaderWideResNet
from .sep_conv import SepConv
from .stage_adapters import StageAdapters
from .teacher import (build_teacher, load_frozen, load_state_dict_safely,
                      model_config)
from .teacher_group import TeacherGroup, group_teachers, stack_modules
from .wide_resnet import WideResNet

__all__ = [
    'DAFLLeNet5', 'FeatureMapClassifier', 'HeaderAttention',
    'MultiHeaderClassifier', 'MultiHeaderLeNet5', 'MultiHeaderResNet',
    'MultiHeaderWideResNet', 'SepConv', 'StageAdapters', 'TeacherGroup',
    'WideResNet', 'group_teachers', 'stack_modules',
    'build_teacher', 'load_frozen', 'load_state_dict_safely', 'model_config',
    'matching_stages', 'pair_stages', 'request_stages', 'stage_outputs',
    'stage_shapes', 'use_stages'
]
