"""tools/train.py --tensorboard: scalars and the synthetic grids reach a
TensorBoard event file."""
import glob

import pytest

from mmdfkd.apis import train as train_tool

DAFL = 'configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py'


def test_tensorboard_switch_writes_losses_accuracy_and_images(
        tmp_path, digits_teacher):
    pytest.importorskip('tensorboard')
    from tensorboard.backend.event_processing.event_accumulator import \
        EventAccumulator
    assert train_tool.main([
        DAFL, '--tensorboard', '--work-dir', str(tmp_path), '--cfg-options',
        f'model.teacher.checkpoint={digits_teacher}',
        'train_cfg.max_iters=10', 'train_cfg.val_interval=10',
        'default_hooks.logger.interval=5',
        'default_hooks.synthetic.interval=10']) == 0
    files = glob.glob(str(tmp_path / '*' / 'vis_data' / 'events.out.*'))
    assert len(files) == 1
    events = EventAccumulator(files[0], size_guidance={'images': 0})
    events.Reload()
    scalars = set(events.Tags()['scalars'])
    assert {'accuracy/top1', 'teacher_top1', 'gen.loss', 'student.lr'} \
        <= scalars, scalars
    assert events.Tags()['images'], 'no synthetic image grid'
    top1 = events.Scalars('accuracy/top1')[-1].value
    assert 0 <= top1 <= 100
