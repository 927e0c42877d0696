"""tools/model_converters/zju_vipa_to_mmdfkd.py: the zju-vipa CMI /
Fast-Datafree CIFAR teachers in our architectures.

The reference networks below re-implement zju-vipa's
``datafree/models/classifiers/resnet.py`` and ``wresnet.py`` (module names,
shapes and forward order as read there); the proof of a mapping is that the
converted weights, loaded strictly into our model built from its config, give
the logits of the reference network.
"""
import collections
import os.path as osp

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from cli_helpers import one_error_line
from mmengine.config import Config

from mmdfkd.apis import convert_zju_vipa as tool
from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


# -- zju-vipa's layouts, re-implemented -------------------------------------
class ZjuBasicBlock(nn.Module):
    """resnet.py BasicBlock: post-activation, ``shortcut`` a Sequential
    (empty, or 1x1 conv + BN when the stride or width changes)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False),
                nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ZjuResNet(nn.Module):
    """resnet.py ResNet (DAFL's): 3x3 stride-1 stem, no max-pool,
    ``layer1..4``, global average pool, ``linear``."""

    def __init__(self, blocks, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        cin = 64
        for s, (n, width) in enumerate(zip(blocks, (64, 128, 256, 512))):
            layers = []
            for i in range(n):
                stride = 2 if s > 0 and i == 0 else 1
                layers.append(ZjuBasicBlock(cin, width, stride))
                cin = width
            setattr(self, f'layer{s + 1}', nn.Sequential(*layers))
        self.linear = nn.Linear(512, num_classes)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        for s in range(1, 5):
            out = getattr(self, f'layer{s}')(out)
        out = F.adaptive_avg_pool2d(out, (1, 1)).flatten(1)
        return self.linear(out)


class ZjuWRNBlock(nn.Module):
    """wresnet.py BasicBlock: BN-ReLU first; when the width changes the
    input itself is replaced by its activation, which ``convShortcut``
    (None otherwise) projects."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.equal = cin == cout
        self.convShortcut = None if self.equal else nn.Conv2d(
            cin, cout, 1, stride, 0, bias=False)

    def forward(self, x):
        if self.equal:
            out = F.relu(self.bn1(x))
        else:
            x = F.relu(self.bn1(x))
            out = x
        out = self.conv2(F.relu(self.bn2(self.conv1(out))))
        return (x if self.equal else self.convShortcut(x)) + out


class ZjuNetworkBlock(nn.Module):

    def __init__(self, n, cin, cout, stride):
        super().__init__()
        self.layer = nn.Sequential(*[
            ZjuWRNBlock(cin if i == 0 else cout, cout, stride if i == 0 else 1)
            for i in range(n)])

    def forward(self, x):
        return self.layer(x)


class ZjuWRN(nn.Module):
    """wresnet.py WideResNet: ``conv1``, ``block1..3``, final ``bn1``
    + ReLU, global average pool, ``fc``."""

    def __init__(self, depth, widen, num_classes):
        super().__init__()
        n, w = (depth - 4) // 6, [16, 16 * widen, 32 * widen, 64 * widen]
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.block1 = ZjuNetworkBlock(n, w[0], w[1], 1)
        self.block2 = ZjuNetworkBlock(n, w[1], w[2], 2)
        self.block3 = ZjuNetworkBlock(n, w[2], w[3], 2)
        self.bn1 = nn.BatchNorm2d(w[3])
        self.fc = nn.Linear(w[3], num_classes)

    def forward(self, x):
        out = self.block3(self.block2(self.block1(self.conv1(x))))
        out = F.relu(self.bn1(out))
        return self.fc(F.adaptive_avg_pool2d(out, (1, 1)).flatten(1))


def zju_vipa_net(arch, num_classes):
    """A zju-vipa network with random weights and BN statistics."""
    torch.manual_seed(0)
    if arch.startswith('resnet'):
        blocks = dict(resnet18=(2, 2, 2, 2), resnet34=(3, 4, 6, 3))[arch]
        net = ZjuResNet(blocks, num_classes)
    else:
        depth, widen = map(int, arch[3:].split('_'))
        net = ZjuWRN(depth, widen, num_classes)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.normal_(m.bias, 0, 0.1)
            m.running_mean.normal_(0, 0.1)
            m.running_var.uniform_(0.5, 1.5)
            m.num_batches_tracked.fill_(7820)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.bias, 0, 0.1)
    return net.eval()


def our_net(arch, num_classes):
    """Our model, built from its variable in configs/_base_/models."""
    base, variable = tool.ARCHS[arch][1:]
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs/_base_/models', base))[variable]
    cfg.head.num_classes = num_classes
    return MODELS.build(cfg).eval()


#: What zju-vipa's layout has (their module names), per family.
LAYOUT_KEYS = dict(
    resnet=['conv1.weight', 'bn1.running_var', 'layer1.0.bn2.weight',
            'layer2.0.shortcut.0.weight', 'layer4.0.shortcut.1.running_mean',
            'linear.weight'],
    wrn=['conv1.weight', 'block1.layer.0.bn1.weight',
         'block2.layer.0.convShortcut.weight', 'block3.layer.1.conv2.weight',
         'bn1.num_batches_tracked', 'fc.bias'])
CASES = [('resnet34', 100), ('resnet18', 10), ('wrn40_2', 10),
         ('wrn40_1', 100), ('wrn16_2', 10), ('wrn16_1', 100)]


@pytest.mark.parametrize('arch,num_classes', CASES)
def test_converted_teacher_gives_zju_vipa_logits(arch, num_classes):
    ref = zju_vipa_net(arch, num_classes)
    state = ref.state_dict()
    assert set(LAYOUT_KEYS[tool.ARCHS[arch][0]]) <= set(state)
    assert tool.guess_arch(state) == arch
    ours = our_net(arch, num_classes)
    ours.load_state_dict(tool.convert(state, arch), strict=True)
    x = torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():  # float64: a wrong mapping cannot hide in rounding
        expected = ref.double()(x.double())
        got = ours.double()(x.double(), mode='tensor')
    assert got.shape == (4, num_classes)
    scale = expected.std().item()
    assert scale > 1e-2  # the check is not between constants
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-9 * scale)


def test_tool_converts_a_train_scratch_file(tmp_path, capsys):
    """A file as zju-vipa's train_scratch.py writes it (optimizer and
    scheduler included; saved through DataParallel) converts, and the zoo
    teacher of our CIFAR-10 configs loads it through the safe teacher
    loader (weights_only, strict)."""
    from mmdfkd.models.teacher import build_teacher
    ref = zju_vipa_net('resnet34', 10)
    optimizer = torch.optim.SGD(ref.parameters(), 0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, [100, 150])
    src, dst = tmp_path / 'cifar10_resnet34.pth', tmp_path / 'out' / 't.pth'
    torch.save(dict(epoch=200, arch='resnet34', best_acc1=95.7,
                    state_dict=collections.OrderedDict(
                        (f'module.{k}', v)
                        for k, v in ref.state_dict().items()),
                    optimizer=optimizer.state_dict(),
                    scheduler=scheduler.state_dict()), src)
    assert tool.main([str(src), str(dst), '--arch', 'resnet34']) == 0
    assert 'written to' in capsys.readouterr().out
    saved = torch.load(dst, weights_only=True)
    assert saved['meta']['arch'] == 'resnet34'
    assert saved['meta']['num_classes'] == 10
    assert saved['meta']['source_best_acc1'] == 95.7
    teacher = build_teacher(dict(model='resnet34_8xb16_cifar10',
                                 checkpoint=str(dst)))
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(teacher(x, mode='tensor'), ref(x),
                                   rtol=1e-4, atol=1e-4)


def test_file_without_batch_counts_converts():
    """torch < 0.4.1 wrote no num_batches_tracked: they are set to 0."""
    ref = zju_vipa_net('wrn16_1', 10)
    state = {k: v for k, v in ref.state_dict().items()
             if not k.endswith('num_batches_tracked')}
    out = tool.convert(state, 'wrn16_1')
    assert int(out['backbone.final_bn.num_batches_tracked']) == 0
    our_net('wrn16_1', 10).load_state_dict(out, strict=True)


def _file(tmp_path, state, name='src.pth'):
    path = tmp_path / name
    torch.save(dict(state_dict=state), path)
    return str(path)


def _bad_cases():
    wrn = zju_vipa_net('wrn16_1', 100).state_dict()
    missing = dict(wrn)
    del missing['block2.layer.1.bn2.running_var']
    renamed = dict(wrn)
    renamed['classifier.weight'] = renamed.pop('fc.weight')
    gray = dict(wrn, **{'conv1.weight': torch.zeros(16, 1, 3, 3)})
    vgg = {'block0.0.weight': torch.zeros(64, 3, 3, 3),
           'classifier.weight': torch.zeros(10, 512)}
    return {  # (state, argv after SRC DST, words of the one line)
        'missing key': (missing, ['--arch', 'wrn16_1'],
                        ["'backbone.groups.1.1.bn2.running_var'",
                         'not in the file']),
        'unknown key': (renamed, ['--arch', 'wrn16_1'],
                        ["'classifier.weight'", 'no place']),
        'other depth': (wrn, ['--arch', 'wrn40_1'],
                        ['looks like --arch wrn16_1']),
        'other width': (wrn, ['--arch', 'wrn16_2'],  # + a projection
                        ['looks like --arch wrn16_1']),
        'shape': (gray, ['--arch', 'wrn16_1'],
                  ["'conv1.weight' has shape (16, 1, 3, 3)",
                   "'backbone.stem.weight'"]),
        'other family': (wrn, ['--arch', 'resnet18'],
                         ['looks like --arch wrn16_1']),
        'classes': (wrn, ['--arch', 'wrn16_1', '--num-classes', '10'],
                    ['has 100 classes', '--num-classes 100']),
        'vgg file': (vgg, ['--arch', 'resnet18'], ['looks like zju-vipa '
                                                   'vgg11']),
        'vgg11': (wrn, ['--arch', 'vgg11'], ["mmpretrain's VGG max-pools"]),
        'not tensors': ({'epoch': 3}, ['--arch', 'wrn16_1'],
                        ['is not a tensor (int)']),
    }


BAD = _bad_cases()


@pytest.mark.parametrize('case', sorted(BAD))
def test_bad_file_gives_one_line(case, tmp_path, capsys):
    state, argv, words = BAD[case]
    dst = tmp_path / 'dst.pth'
    line = one_error_line(tool.main, [_file(tmp_path, state), str(dst)] +
                          argv, capsys)
    assert 'Fix:' in line
    for word in words:
        assert word in line, line
    assert not dst.exists()


def test_missing_source_gives_one_line(tmp_path, capsys):
    line = one_error_line(tool.main, [str(tmp_path / 'no.pth'),
                                      str(tmp_path / 'dst.pth'), '--arch',
                                      'resnet34'], capsys)
    assert 'Dropbox-Models' in line


def test_convert_refuses_unknown_arch():
    with pytest.raises(DFKDInputError, match='unknown zju-vipa'):
        tool.convert({}, 'resnet50')
