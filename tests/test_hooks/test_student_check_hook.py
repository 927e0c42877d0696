"""StudentCheckHook: a student at chance is a warning during the run and an
error at its end; a learning student, a short smoke run or a teacher near
chance are left alone."""
from types import SimpleNamespace
from unittest import mock

import pytest
from mmengine.logging import MessageHub

from mmdfkd.hooks import StudentCheckHook, student_check_hook
from mmdfkd.utils import DFKDInputError


def runner_for(it, max_iters=1000, teacher=99.63, ensemble=None, classes=10):
    hub = MessageHub(f'student_check_{it}_{max_iters}_{teacher}_{ensemble}')
    # TeacherCheckHook's reference: the ensemble's top-1, else the teacher's
    hub.update_info('reference_top1', teacher if ensemble is None
                    else ensemble)
    if classes:
        hub.update_info('num_classes', classes)
    return SimpleNamespace(iter=it, max_iters=max_iters, message_hub=hub)


def test_final_student_at_chance_fails_the_run():
    hook = StudentCheckHook()
    with pytest.raises(DFKDInputError, match=r'at chance after 1000 of 1000 '
                       r'iterations: top-1 10.00 % \(chance 10.0 %, teacher '
                       r'99.63 %\).*Fix: .*lower its lr'):
        hook.after_val_epoch(runner_for(1000), {'accuracy/top1': 10.0})
    # the threshold: chance + 0.1 x (99.63 - 10) = 18.96 %
    with pytest.raises(DFKDInputError):
        hook.after_val_epoch(runner_for(1000), {'accuracy/top1': 18.9})
    hook.after_val_epoch(runner_for(1000), {'accuracy/top1': 19.0})
    # fail=False (the batch tools): only the warning
    with mock.patch.object(student_check_hook, 'print_log') as log:
        StudentCheckHook(fail=False).after_val_epoch(
            runner_for(1000), {'accuracy/top1': 10.0})
    assert log.call_count == 1
    # several teachers: the ensemble is the reference
    with pytest.raises(DFKDInputError, match='teacher 50.00 %'):
        hook.after_val_epoch(runner_for(1000, teacher=99.0, ensemble=50.0),
                             {'accuracy/top1': 12.0})


def test_at_chance_during_the_run_warns():
    hook = StudentCheckHook()
    with mock.patch.object(student_check_hook, 'print_log') as log:
        hook.after_val_epoch(runner_for(500), {'accuracy/top1': 10.0})
    assert [c.kwargs['level'] for c in log.call_args_list] == [30]
    assert log.call_args_list[0].args[0].startswith(
        'the student is at chance after 500 of 1000 iterations')


def test_nothing_to_say():
    hook = StudentCheckHook()
    with mock.patch.object(student_check_hook, 'print_log') as log:
        for runner, metrics in [
                (runner_for(1000), {'accuracy/top1': 95.0}),   # learnt
                (runner_for(1000, teacher=25.0), {'accuracy/top1': 10.0}),
                (runner_for(1000, classes=0), {'accuracy/top1': 10.0}),
                (runner_for(1000), {}),                         # no top-1
                # a smoke run, shorter than min_iters: not judged
                (runner_for(20, max_iters=20), {'accuracy/top1': 10.0}),
                (runner_for(99, max_iters=99), {'accuracy/top1': 10.0})]:
            hook.after_val_epoch(runner, metrics)
    log.assert_not_called()
    with pytest.raises(DFKDInputError, match='margin'):
        StudentCheckHook(margin=1.0)
