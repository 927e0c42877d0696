"""sample_diversity: known values, no side effects; the CLI around it."""
import itertools
import math
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.analysis import generator_diversity
from mmdfkd.evaluation import sample_diversity
from mmdfkd.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(ROOT, 'tools', 'analysis', 'generator_diversity.py')


class ConstantGenerator(nn.Module):
    """Always the same image, whatever the code."""

    def __init__(self):
        super().__init__()
        self.image = nn.Parameter(torch.randn(1, 1, 8, 8))

    def forward(self, z):
        return self.image.expand(z.size(0), -1, -1, -1)


class SequenceGenerator(nn.Module):
    """1-pixel images whose values follow ``values`` across calls."""

    def __init__(self, values):
        super().__init__()
        self.values, self.next = values, 0

    def forward(self, z):
        out = torch.tensor(self.values[self.next:self.next + z.size(0)])
        self.next += z.size(0)
        return out.view(-1, 1, 1, 1)


def one_hot_teacher(num_classes=4, scale=10.0):
    """Logits ``scale * one_hot(pixel value)``."""
    def teacher(images):
        cls = images.view(-1).round().long()
        return scale * F.one_hot(cls, num_classes).float()
    return teacher


def test_constant_images_are_a_collapse():
    torch.manual_seed(0)
    teacher = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    out = sample_diversity(ConstantGenerator(), teacher, num_samples=50,
                           latent_dim=4, batch_size=16)
    assert out['mean_pairwise_distance'] == 0.0
    assert out['max_class_fraction'] == 1.0
    assert out['class_entropy'] == 0.0
    assert out['class_entropy_max'] == pytest.approx(math.log(10))
    assert sum(out['class_hist']) == 50 and max(out['class_hist']) == 50
    assert teacher.training  # nn.Module teachers: mode restored


def test_hand_made_histogram_entropy_and_distance():
    values = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 2.0, 3.0]
    out = sample_diversity(SequenceGenerator(values), one_hot_teacher(),
                           num_samples=8, latent_dim=2, batch_size=3)
    assert out['class_hist'] == [4, 2, 1, 1]
    # p = (1/2, 1/4, 1/8, 1/8): H = 1/2 ln 2 + 1/4 ln 4 + 2/8 ln 8
    assert out['class_entropy'] == pytest.approx(1.75 * math.log(2))
    assert out['class_entropy_max'] == pytest.approx(math.log(4))
    assert out['max_class_fraction'] == 0.5
    pairs = list(itertools.combinations(values, 2))
    assert out['mean_pairwise_distance'] == pytest.approx(
        sum(abs(a - b) for a, b in pairs) / len(pairs))
    conf = math.exp(10) / (math.exp(10) + 3)
    assert out['mean_teacher_confidence'] == pytest.approx(conf)
    assert out['pairwise_samples'] == 8


def test_distance_on_a_seeded_subset_when_there_are_many():
    values = [float(i % 4) for i in range(40)]
    kwargs = dict(num_samples=40, latent_dim=2, batch_size=16,
                  max_pairwise_samples=10)
    a = sample_diversity(SequenceGenerator(values), one_hot_teacher(),
                         **kwargs)
    b = sample_diversity(SequenceGenerator(values), one_hot_teacher(),
                         **kwargs)
    assert a['pairwise_samples'] == 10
    assert a['class_hist'] == [10, 10, 10, 10]  # all 40 counted
    assert a == b  # same seed, same subset
    c = sample_diversity(SequenceGenerator(values), one_hot_teacher(),
                         **dict(kwargs, seed=1))
    assert c['mean_pairwise_distance'] != a['mean_pairwise_distance']


@pytest.mark.parametrize('mode', ['train', 'eval'])
def test_generator_state_is_restored(mode):
    torch.manual_seed(0)
    gen = MODELS.build(dict(type='DAFLGenerator', latent_dim=8, img_size=8,
                            out_channels=1, base_channels=8))
    with torch.no_grad():
        gen.train()(torch.randn(16, 8) * 2 + 1)  # non-default BN stats
    gen.eval()
    before = {k: v.clone() for k, v in gen.state_dict().items()}
    teacher = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    out = sample_diversity(gen, teacher, num_samples=40, latent_dim=8,
                           batch_size=16, generator_mode=mode)
    assert not gen.training
    for k, v in gen.state_dict().items():
        assert torch.equal(v, before[k]), k
    assert all(p.grad is None for p in gen.parameters())
    assert out['generator_mode'] == mode and out['mean_pairwise_distance'] > 0
    other = sample_diversity(gen, teacher, num_samples=40, latent_dim=8,
                             batch_size=16,
                             generator_mode={'train': 'eval',
                                             'eval': 'train'}[mode])
    assert other['mean_pairwise_distance'] != pytest.approx(
        out['mean_pairwise_distance'])  # the mode is really applied


def test_bad_arguments():
    gen, teacher = ConstantGenerator(), one_hot_teacher()
    with pytest.raises(ValueError, match='generator_mode'):
        sample_diversity(gen, teacher, 4, 2, generator_mode='test')
    with pytest.raises(ValueError, match='at least 2'):
        sample_diversity(gen, teacher, 1, 2)


# ------------------------------------------------------------------ tool


def _tiny_setup(tmp_path):
    """A tiny RDSKD-like config, a random teacher and generator weights."""
    from mmengine.config import Config
    lenet = Config.fromfile(
        osp.join(ROOT, 'configs/_base_/models/lenet5.py')).lenet5
    teacher = tmp_path / 'teacher.pth'
    torch.save(MODELS.build(lenet).state_dict(), teacher)
    gen_cfg = dict(type='DAFLGenerator', latent_dim=8, img_size=32,
                   out_channels=1, base_channels=8)
    generator = tmp_path / 'generator.pth'
    torch.save(dict(state_dict=MODELS.build(gen_cfg).state_dict()),
               generator)
    config = tmp_path / 'tiny_rdskd.py'
    config.write_text(
        f"_base_ = ['{ROOT}/configs/_base_/models/lenet5.py']\n"
        "model = dict(type='FrozenGeneratorKD',\n"
        f"    teacher=dict(model=_base_.lenet5, checkpoint='{teacher}'),\n"
        f'    generator={gen_cfg!r},\n'
        f"    generator_checkpoint='{generator}')\n"
        'train_dataloader = dict(batch_size=32)\n')
    return str(config), str(generator)


@pytest.mark.slow
def test_tool_prints_the_table_and_writes_json(tmp_path):
    import json
    config, _ = _tiny_setup(tmp_path)
    out = tmp_path / 'div.json'
    proc = subprocess.run(
        [sys.executable, TOOL, config, '--num', '64', '--json', str(out)],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=300,
        env=dict(os.environ, OMP_NUM_THREADS='2'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '| teacher class histogram |' in proc.stdout
    assert 'eval mode, batch 32' in proc.stdout  # FrozenGeneratorKD: eval
    result = json.load(open(out))
    assert sum(result['class_hist']) == 64
    assert len(result['class_hist']) == 10
    assert result['mean_pairwise_distance'] > 0


def test_tool_missing_checkpoint_is_one_clear_line(tmp_path, capsys):
    tool = generator_diversity
    config, generator = _tiny_setup(tmp_path)
    missing = str(tmp_path / 'nope.pth')
    assert tool.main([config, '--generator-checkpoint', missing,
                      '--num', '8']) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith('mmdfkd error: generator checkpoint not found')
    assert missing in err and '\n' not in err
    # a whole-algorithm state dict works too (keys generator.*)
    whole = tmp_path / 'whole.pth'
    state = torch.load(generator, weights_only=True)['state_dict']
    torch.save({f'generator.{k}': v for k, v in state.items()}, whole)
    assert tool.main([config, '--generator-checkpoint', str(whole),
                      '--num', '8', '--mode', 'train']) == 0
    assert 'train mode' in capsys.readouterr().out
