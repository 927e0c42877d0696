"""Flag a student that stays at chance: warn at a validation, fail at the
end of the run."""
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmdfkd.registry import HOOKS
from mmdfkd.utils import DFKDInputError

AT_CHANCE_HINT = (
    'Fix: the student diverged or never learnt; lower its lr (KD at a high '
    'temperature scales its gradients by the temperature), check that the '
    'synthetic images are not collapsed (the diversity warnings), or run '
    'longer.')


@HOOKS.register_module()
class StudentCheckHook(Hook):
    r"""Warn when the student's validation top-1 is at chance, and fail the
    run when its **final** one is.

    A DFKD run can end with a student at chance while every loss stays
    finite (e.g. a LeNet student whose ReLUs die under a large lr): without
    this check it exits 0 with a useless ``student.pth``. After each
    validation the student's ``accuracy/top1`` :math:`a` is compared with
    chance :math:`c = 100 / K` and with the reference :math:`r` that
    :class:`TeacherCheckHook` measured (``reference_top1``: the teachers'
    ensemble when there are several, else the teacher). The student is *at
    chance* when

    .. math:: a \le c + \text{margin} \cdot (r - c),

    checked only when the reference is clearly above chance
    (:math:`r - c \ge 20` points), from iteration ``min_iters`` on (a
    shorter smoke run is not judged). At chance: a warning with a hint; at
    the last validation, a :class:`~mmdfkd.utils.DFKDInputError` (non-zero
    exit; the checkpoints already written stay) unless ``fail=False``
    (the batch tools, which record every seed's number: ``benchmark.py``,
    ``seed_runs.py``, ``robustness_sweep.py``). Turn it off with
    ``--cfg-options default_hooks.student_check=None``.

    Args:
        margin (float): Fraction of the gap to the teacher that still
            counts as chance. Defaults to 0.1 (10 classes, a 99.6 %
            teacher: 19 %).
        min_iters (int): Validations before this iteration (smoke runs)
            are not judged. Defaults to 100.
        fail (bool): Stop the run at a final student at chance (else only
            warn). Defaults to True.
    """

    # after LoggerHook (BELOW_NORMAL): the final metrics are logged first
    priority = 'LOW'

    def __init__(self, margin: float = 0.1, min_iters: int = 100,
                 fail: bool = True):
        if not 0 <= margin < 1:
            raise DFKDInputError(
                f'StudentCheckHook margin={margin}. Fix: a fraction in '
                '[0, 1).')
        self.margin, self.min_iters, self.fail = margin, min_iters, fail

    def after_val_epoch(self, runner, metrics=None) -> None:
        top1 = (metrics or {}).get('accuracy/top1')
        ref = runner.message_hub.get_info('reference_top1')
        num_classes = runner.message_hub.get_info('num_classes')
        if top1 is None or ref is None or not num_classes:
            return
        chance = 100.0 / num_classes
        it, max_iters = runner.iter, runner.max_iters
        if (it < self.min_iters or ref - chance < 20
                or top1 > chance + self.margin * (ref - chance)):
            return
        message = (f'the student is at chance after {it} of {max_iters} '
                   f'iterations: top-1 {top1:.2f} % (chance {chance:.1f} %, '
                   f'teacher {ref:.2f} %).')
        if it >= max_iters and self.fail:
            raise DFKDInputError(f'{message} {AT_CHANCE_HINT}')
        print_log(f'{message} {AT_CHANCE_HINT}', logger='current',
                  level=30)  # WARNING
