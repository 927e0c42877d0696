from .agreement_hook import AgreementHook
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .export_student_hook import ExportStudentHook, student_config
from .export_weights_hook import ExportWeightsHook
from .finite_loss_hook import FiniteLossHook
from .rank_shards_hook import RankShardsHook
from .sample_diversity_hook import SampleDiversityHook
from .student_check_hook import StudentCheckHook
from .synthetic_image_hook import SyntheticImageHook
from .teacher_check_hook import TeacherCheckHook

__all__ = [
    'AgreementHook', 'AtomicCheckpointHook', 'ExportStudentHook',
    'ExportWeightsHook', 'FiniteLossHook', 'RankShardsHook',
    'SampleDiversityHook', 'StudentCheckHook', 'SyntheticImageHook',
    'TeacherCheckHook', 'student_config'
]
