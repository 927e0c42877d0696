"""A distillation run's student.pth + student_config.py load into plain
mmpretrain and give tools/test.py's predictions."""
import os.path as osp

import numpy as np
import pytest
import torch

from mmdfkd.apis import test as test_tool
from mmdfkd.apis import train as train_tool

DAFL = 'configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py'
MFS = 'configs/cdfkd_mfs/cdfkd-mfs_3xlenet5_mh-lenet5-half_1xb64-300_digits.py'


def _accuracy_with_plain_mmpretrain(work_dir):
    """Top-1 on the digits test split through mmpretrain alone:
    get_model + ImageClassificationInferencer on the raw images."""
    from mmengine.config import Config
    from mmpretrain import ImageClassificationInferencer, get_model

    from mmdfkd.datasets import Digits
    cfg_path = osp.join(work_dir, 'student_config.py')
    weights = osp.join(work_dir, 'student.pth')
    cfg = Config.fromfile(cfg_path)
    assert cfg.model.data_preprocessor.mean == pytest.approx([77.909])
    model = get_model(cfg_path, pretrained=weights)
    state = torch.load(weights, weights_only=True)['state_dict']
    assert set(model.state_dict()) == set(state)  # every weight loaded
    inferencer = ImageClassificationInferencer(model=cfg_path,
                                               pretrained=weights)
    data = Digits(split='test', pipeline=[])
    images = [data[i]['img'] for i in range(len(data))]
    labels = np.array([data[i]['gt_label'] for i in range(len(data))])
    preds = np.array([r['pred_label'] for r in inferencer(
        [img[..., None] for img in images], batch_size=64)])
    with torch.no_grad():
        batch = torch.from_numpy(np.stack(images)).float()[:, None]
        direct = model(model.data_preprocessor(
            dict(inputs=list(batch)))['inputs']).argmax(1).numpy()
    assert (direct == preds).all()
    return 100.0 * (preds == labels).mean()


def test_dafl_student_in_plain_mmpretrain(tmp_path, digits_teacher):
    work = tmp_path / 'run'
    assert train_tool.main([
        DAFL, '--work-dir', str(work), '--cfg-options',
        f'model.teacher.checkpoint={digits_teacher}',
        'train_cfg.max_iters=30', 'train_cfg.val_interval=30']) == 0
    state = torch.load(work / 'student.pth', weights_only=True)['state_dict']
    assert not any(k.startswith(('student.', 'teacher.')) for k in state)
    out = tmp_path / 'm.json'
    assert test_tool.main([DAFL, str(work / 'iter_30.pth'), '--work-dir',
                           str(work), '--out', str(out)]) == 0
    import json
    top1 = json.loads(out.read_text())['accuracy/top1']
    assert _accuracy_with_plain_mmpretrain(work) == pytest.approx(
        top1, abs=1e-4)
    text = (work / 'student_config.py').read_text()
    assert "'mmdfkd.DAFLLeNet5'" in text and 'custom_imports' in text


def test_multi_header_student_in_plain_mmpretrain(tmp_path,
                                                  digits_bn_teacher):
    """The CDFKD-MFS student (mmdfkd's MultiHeaderClassifier, prediction =
    mean of the headers) needs mmdfkd importable (custom_imports), nothing
    else."""
    work = tmp_path / 'mfs'
    teachers = [f'model.teachers.t{i}.checkpoint={digits_bn_teacher}'
                for i in (1, 2, 3)]
    assert train_tool.main([
        MFS, '--work-dir', str(work), '--cfg-options', *teachers,
        'train_cfg.max_iters=4', 'train_cfg.val_interval=4',
        'default_hooks.checkpoint.interval=4']) == 0
    out = tmp_path / 'm.json'
    assert test_tool.main([MFS, str(work / 'iter_4.pth'), '--work-dir',
                           str(work), '--out', str(out)]) == 0
    import json
    top1 = json.loads(out.read_text())['accuracy/top1']
    assert _accuracy_with_plain_mmpretrain(work) == pytest.approx(
        top1, abs=1e-4)
