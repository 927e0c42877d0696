"""CDFKD-MFS: one step against the official update, gradient policy, the
attention run and the student export."""
import copy
import os
import sys

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmdfkd.registry import DATASETS, MODELS
from mmdfkd.utils import DFKDInputError

sys.path.insert(0, os.path.dirname(__file__))
from helpers import mfs_cfg  # noqa: E402

LENET = Config.fromfile('configs/_base_/models/lenet5.py')
OPTIM = dict(
    constructor='PerModuleOptimWrapperConstructor',
    generator=dict(optimizer=dict(type='Adam', lr=1e-3)),
    student=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)))


def _bn_loss(teacher, images):
    """Hand-written B4 loss (rescale 5 on the first BN layer)."""
    stats, hooks = [], []
    for m in teacher.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            hooks.append(m.register_forward_pre_hook(
                lambda mod, inp: stats.append((mod, inp[0]))))
    teacher(images)
    for h in hooks:
        h.remove()
    loss = 0
    for i, (mod, x) in enumerate(stats):
        mu = x.mean(dim=(0, 2, 3))
        var = x.var(dim=(0, 2, 3), unbiased=False)
        r = (mod.running_var - var).norm() + (mod.running_mean - mu).norm()
        loss = loss + (5.0 if i == 0 else 1.0) * r
    return loss


@pytest.mark.parametrize('stack_teachers', [True, False])
def test_one_step_equals_the_official_update(tmp_path, stack_teachers):
    """Teachers stacked into one network (the default) or run one by one:
    the same step as the official loop."""
    torch.manual_seed(0)
    model = MODELS.build(mfs_cfg(tmp_path, stack_teachers=stack_teachers))
    model.train()
    ref = copy.deepcopy(model)
    z = torch.randn(6, 3, 8)  # N = 6, student_steps + 1 = 3 codes
    # SGD for the generator here: Adam would turn float noise in the
    # (near-zero) gradient of conv biases followed by BN into full steps.
    optim_cfg = copy.deepcopy(OPTIM)
    optim_cfg['generator'] = dict(optimizer=dict(type='SGD', lr=0.1))
    optim = build_optim_wrapper(model, optim_cfg)
    log = model.train_step(dict(inputs=z), optim)

    # The official loop (CDFKD_MFS.py), written out by hand.
    opt_S = torch.optim.SGD(ref.student.parameters(), lr=0.1, momentum=0.9)
    opt_G = torch.optim.SGD(ref.generator.parameters(), lr=0.1)
    teachers = list(ref.teachers.values())
    for step in range(2):
        with torch.no_grad():
            x = ref.generator(z[:, step])
            t_logits = [t(x) for t in teachers]
        s_logits, _ = ref.student.forward_heads(x)
        loss_S = sum(F.l1_loss(s, t) for s, t in zip(s_logits, t_logits)) / 3
        loss_S = loss_S + 5 * F.l1_loss(
            torch.stack(s_logits).mean(0), torch.stack(t_logits).mean(0))
        opt_S.zero_grad()
        loss_S.backward()
        opt_S.step()
    x = ref.generator(z[:, -1])
    s_logits, _ = ref.student.forward_heads(x)
    loss_G = 0
    for i, t in enumerate(teachers):
        loss_G = loss_G + (-F.l1_loss(s_logits[i], t(x)) +
                           0.1 * _bn_loss(t, x)) / 3
    opt_G.zero_grad()
    loss_G.backward()
    opt_G.step()

    torch.testing.assert_close(log['stu.loss'], loss_S.detach())
    torch.testing.assert_close(log['gen.loss'], loss_G.detach(),
                               rtol=1e-5, atol=1e-5)
    for (name, p), q in zip(model.named_parameters(), ref.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6, msg=name)
    assert [g.num_members for g in model._teacher_groups] == (
        [3] if stack_teachers else [1, 1, 1])


def test_stacked_teachers_stay_out_of_the_checkpoint(tmp_path):
    """The stacked copy is not a submodule (no new state_dict keys) and is
    rebuilt from the teachers after their weights are loaded."""
    model = MODELS.build(mfs_cfg(tmp_path, student_steps=1))
    model.train()
    keys = set(model.state_dict())
    optim = build_optim_wrapper(model, copy.deepcopy(OPTIM))
    model.train_step(dict(inputs=torch.randn(4, 2, 8)), optim)
    (group, ) = model._teacher_groups
    assert set(model.state_dict()) == keys
    images = torch.randn(2, 1, 32, 32)
    state = model.state_dict()
    state['teachers.t1.head.layers.1.fc.bias'] = torch.full((10, ), 7.)
    model.load_state_dict(state)  # through the algorithm (resume)
    assert model._teacher_groups is None
    logits = model.teacher_outputs(images)['logits']
    torch.testing.assert_close(logits[0], model.teachers.t1(images))
    assert model._teacher_groups[0].stacked
    t3 = model.teachers.t3.state_dict()
    t3['head.layers.1.fc.bias'] = torch.full((10, ), -7.)
    model.teachers.t3.load_state_dict(t3)  # through the teacher itself
    logits = model.teacher_outputs(images)['logits']
    torch.testing.assert_close(logits[2], model.teachers.t3(images))
    model.double()  # a dtype change rebuilds the stacked copy too
    logits = model.teacher_outputs(images.double())['logits']
    assert logits[0].dtype == torch.float64


def test_generator_step_leaves_no_gradient_on_student_or_teachers(tmp_path):
    model = MODELS.build(mfs_cfg(tmp_path, student_steps=1))
    model.train()
    optim = build_optim_wrapper(model, copy.deepcopy(OPTIM))
    before = copy.deepcopy(model.student.state_dict())
    model.train_step(dict(inputs=torch.randn(4, 2, 8)), optim)
    assert all(p.grad is None or not p.grad.any()
               for p in model.student.parameters())
    assert all(p.grad is None for t in model.teachers.values()
               for p in t.parameters())
    assert all(not t.training for t in model.teachers.values())
    # the single student step did change the student
    assert any(not torch.equal(v, before[k])
               for k, v in model.student.state_dict().items())


def test_generator_step_honours_gradient_accumulation(tmp_path):
    """The generator step goes through the optim wrapper's update_params:
    with accumulative_counts=2 the generator moves every second step (a
    hand-stepped optimizer would move it at every step)."""
    model = MODELS.build(mfs_cfg(tmp_path, student_steps=1))
    model.train()
    optim_cfg = copy.deepcopy(OPTIM)
    optim_cfg['generator'].update(
        accumulative_counts=2, optimizer=dict(type='SGD', lr=1.0))
    optim = build_optim_wrapper(model, optim_cfg)
    weight = model.generator.fc.weight
    start = weight.detach().clone()
    model.train_step(dict(inputs=torch.randn(4, 2, 8)), optim)
    assert torch.equal(weight, start) and weight.grad.abs().sum() > 0
    model.train_step(dict(inputs=torch.randn(4, 2, 8)), optim)
    assert not torch.equal(weight, start)
    assert weight.grad is None or not weight.grad.any()


def test_feature_loss_needs_matching_sizes(tmp_path):
    with pytest.raises(DFKDInputError, match='60-d but teacher t1 pools '
                       '120-d.*loss_feat=None'):
        MODELS.build(mfs_cfg(
            tmp_path, student_steps=1,
            loss_feat=dict(type='FeatureL1Loss', loss_weight=0.2)))
    with pytest.raises(ValueError, match='loss_feat=None'):
        MODELS.build(dict(type='FeatureL1Loss'))(torch.ones(2, 3),
                                                 torch.ones(2, 4))


def test_headers_must_match_teachers(tmp_path):
    with pytest.raises(DFKDInputError, match='2 teachers'):
        MODELS.build(mfs_cfg(tmp_path, num_teachers=2))


def test_rejects_wrong_number_of_codes(tmp_path):
    model = MODELS.build(mfs_cfg(tmp_path))
    optim = build_optim_wrapper(model, copy.deepcopy(OPTIM))
    with pytest.raises(DFKDInputError, match='codes_per_sample = 3'):
        model.train_step(dict(inputs=torch.randn(4, 8)), optim)


def test_feature_l1_loss_known_value():
    loss = MODELS.build(dict(type='FeatureL1Loss', loss_weight=0.5))
    s = torch.tensor([[1., 2.], [0., 0.]])
    t = torch.tensor([[0., 0.], [1., -3.]])
    # per sample sums 3 and 4, batch mean 3.5, weight 0.5
    assert loss(s, t).item() == pytest.approx(1.75)


def test_few_shot_subset_is_fixed_and_sized():
    digits = dict(type='Digits', split='train')
    a = DATASETS.build(dict(type='FewShotSubset', dataset=digits,
                            ratio=0.01, seed=0))
    b = DATASETS.build(dict(type='FewShotSubset', dataset=digits,
                            ratio=0.01, seed=0))
    c = DATASETS.build(dict(type='FewShotSubset', dataset=digits,
                            num_samples=40, seed=1))
    assert len(a) == round(0.01 * 1257) == 13
    assert list(a.indices) == list(b.indices)
    assert len(c) == 40 and len(set(c.indices.tolist())) == 40
    with pytest.raises(DFKDInputError, match='exactly one'):
        DATASETS.build(dict(type='FewShotSubset', dataset=digits))
    with pytest.raises(DFKDInputError, match='not in'):
        DATASETS.build(dict(type='FewShotSubset', dataset=digits,
                            num_samples=5000))


def _attention_cfg(student_ckpt):
    return dict(
        type='AttentionAggregation',
        student=copy.deepcopy(LENET.mh_lenet5_half),
        student_checkpoint=student_ckpt,
        student_prefix=None,
        data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                               num_classes=10, mean=[77.9], std=[82.6]))


def test_attention_run_needs_a_student(tmp_path):
    with pytest.raises(DFKDInputError, match='student_checkpoint'):
        MODELS.build(_attention_cfg(None))
    cfg = _attention_cfg(str(tmp_path / 'missing.pth'))
    with pytest.raises(DFKDInputError, match='student checkpoint not found'
                       '.*CDFKD-MFS|student checkpoint not found.*cdfkd'):
        MODELS.build(cfg)
    cfg['student'] = copy.deepcopy(LENET.lenet5_half)
    with pytest.raises(DFKDInputError, match='MultiHeaderClassifier'):
        MODELS.build(cfg)


def test_attention_run_trains_only_the_attention(tmp_path):
    student = MODELS.build(copy.deepcopy(LENET.mh_lenet5_half))
    path = tmp_path / 'student.pth'
    torch.save(dict(state_dict=student.state_dict()), path)
    model = MODELS.build(_attention_cfg(str(path)))
    model.train()
    assert not model.student.training
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all('attention' in n for n in trainable)
    optim = build_optim_wrapper(
        model, dict(optimizer=dict(type='Adam', lr=0.1)))
    dataset = DATASETS.build(dict(
        type='FewShotSubset', num_samples=8, seed=0,
        dataset=dict(type='Digits', split='train',
                     pipeline=[dict(type='mmpretrain.PackInputs')])))
    from mmengine.dataset import pseudo_collate
    data = pseudo_collate([dataset[i] for i in range(8)])
    frozen = {k: v.clone() for k, v in model.student.state_dict().items()
              if 'attention' not in k}
    log = model.train_step(data, optim)
    assert torch.isfinite(log['loss'])
    for k, v in model.student.state_dict().items():
        if 'attention' not in k:
            assert torch.equal(v, frozen[k]), k
    # (its bias cannot move: a shift common to all headers cancels in the
    # softmax over headers, so its gradient is 0 up to float noise)
    assert not torch.equal(model.student.attention.fc.weight,
                           student.attention.fc.weight)


def test_attention_stage_sees_the_configured_samples_only(tmp_path):
    """A whole attention run via the Runner: the loader yields exactly the
    FewShotSubset's images, no more."""
    from mmdfkd.engine import build_runner
    cfg = Config.fromfile(
        'configs/cdfkd_mfs/cdfkd-mfs-attention_mh-lenet5-half_1pct_'
        'digits.py')
    student = MODELS.build(copy.deepcopy(LENET.mh_lenet5_half))
    torch.save(student.state_dict(), tmp_path / 'student.pth')
    cfg.model.student_checkpoint = str(tmp_path / 'student.pth')
    cfg.work_dir = str(tmp_path / 'run')
    cfg.train_cfg.max_epochs = 2
    cfg.train_cfg.val_interval = 2
    cfg.train_dataloader.dataset.ratio = None
    cfg.train_dataloader.dataset.num_samples = 25
    cfg.train_dataloader.batch_size = 10
    cfg.launcher = 'none'
    runner = build_runner(cfg)
    seen = []
    orig = runner.model.train_step

    def spy(data, optim_wrapper):
        seen.extend(s.sample_idx for s in data['data_samples'])
        return orig(data, optim_wrapper)

    runner.model.train_step = spy
    runner.train()
    subset = runner.train_dataloader.dataset
    assert len(subset) == 25
    allowed = set(subset.indices.tolist())
    assert len(seen) == 2 * 25 and set(seen) == allowed
    metrics = runner.val_loop.run()
    assert 'header/mean_top1' in metrics and 'accuracy/top1' in metrics


def test_exported_student_loads_in_mmpretrain_inference(tmp_path):
    """The student dict of the digits config and a student.pth as
    ExportWeightsHook(module='student') writes it are all mmpretrain's
    inferencer needs; its prediction is the mean of the headers."""
    from mmpretrain.apis import ImageClassificationInferencer
    student_cfg = Config.fromfile(
        'configs/cdfkd_mfs/cdfkd-mfs_3xlenet5_mh-lenet5-half_1xb64-300_'
        'digits.py').model.student
    student = MODELS.build(copy.deepcopy(student_cfg))
    path = tmp_path / 'student.pth'
    torch.save(dict(state_dict=student.state_dict(),
                    meta=dict(module='student')), path)
    cfg = Config(dict(
        model=student_cfg,
        test_dataloader=dict(dataset=dict(
            type='mmpretrain.CustomDataset',
            pipeline=[dict(type='mmpretrain.PackInputs')]))))
    inferencer = ImageClassificationInferencer(
        model=cfg, pretrained=str(path), device='cpu')
    image = (torch.rand(32, 32, 1) * 255).numpy().astype('uint8')
    result = inferencer(image)[0]
    student.eval()
    with torch.no_grad():
        x = (torch.from_numpy(image).permute(2, 0, 1)[None].float() -
             77.909) / 82.553
        expected = F.softmax(student(x), dim=1)[0]   # mean of the headers
    torch.testing.assert_close(
        torch.as_tensor(result['pred_scores']), expected, atol=1e-5,
        rtol=1e-4)


def test_teachers_without_batch_norm_are_refused(tmp_path):
    cfg = mfs_cfg(tmp_path)
    lenet = Config.fromfile('configs/_base_/models/lenet5.py').lenet5
    cfg['teachers']['t2'] = dict(
        model=copy.deepcopy(lenet),
        checkpoint=str(tmp_path / 'plain.pth'))
    torch.save(MODELS.build(copy.deepcopy(lenet)).state_dict(),
               tmp_path / 'plain.pth')
    with pytest.raises(DFKDInputError,
                       match=r'teacher\(s\) t2 have no BatchNorm2d'):
        MODELS.build(cfg)
