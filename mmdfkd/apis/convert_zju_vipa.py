"""Convert the zju-vipa CIFAR teachers (CMI / Fast-Datafree) to mmdfkd.

    python tools/model_converters/zju_vipa_to_mmdfkd.py SRC DST \
        --arch resnet34|resnet18|wrn40_2|wrn40_1|wrn16_2|wrn16_1 \
        [--num-classes 10|100]

The logic of ``tools/model_converters/zju_vipa_to_mmdfkd.py``. The
pre-trained teachers of github.com/zju-vipa/CMI and
github.com/zju-vipa/Fast-Datafree (their README's "Dropbox-Models (266 MB)",
extracted as ``checkpoints/pretrained/<dataset>_<arch>.pth``, e.g.
``cifar10_resnet34.pth``) are the teachers of every CIFAR table of the
data-free KD literature. Their files are what ``train_scratch.py`` saves,
``{'epoch', 'arch', 'state_dict', 'best_acc1', 'optimizer', 'scheduler'}``,
and ``datafree_kd.py`` loads ``['state_dict']`` strictly into the bare
network (no ``module.`` prefix; one is stripped anyway, for files written
through ``DataParallel``). All of it is plain data, so SRC is read with
``torch.load(weights_only=True)``.

The key layouts (their ``datafree/models/classifiers/``) and our
architectures:

- ``resnet.py`` (DAFL's CIFAR ResNet): ``conv1``, ``bn1``,
  ``layer{1-4}.{i}.{conv1,bn1,conv2,bn2}``, projection
  ``layer{2-4}.0.shortcut.{0: conv, 1: bn}``, ``linear``. Same network as
  mmpretrain's ``ResNet_CIFAR`` (3x3 stride-1 stem, no max-pool, post-
  activation basic blocks, global average pool):
  ``configs/_base_/models/resnet_cifar.py`` ``resnet34_cifar`` /
  ``resnet18_cifar`` (and the zoo's ``resnet34_8xb16_cifar10``).
- ``wresnet.py`` (ZSKT's WRN): ``conv1``,
  ``block{1-3}.layer.{i}.{bn1,conv1,bn2,conv2}``, projection
  ``block{1-3}.layer.{i}.convShortcut`` (a 1x1 convolution of the
  pre-activated input), final ``bn1``, ``fc``. Same network as
  :class:`mmdfkd.models.WideResNet`: ``configs/_base_/models/
  wide_resnet.py`` ``wrn40_2`` / ``wrn40_1`` / ``wrn16_2`` / ``wrn16_1``.
- ``vgg.py`` (RepDistiller's ``vgg11_bn``): ``block0..4`` of conv(bias)-BN
  (-ReLU), max-pools after block 0, 1, 2 only (none after block 3 at
  32 px), a global average pool and one ``classifier`` Linear(512, C).
  mmpretrain's ``VGG`` max-pools after every stage and ends in a
  4096-wide three-layer classifier, so no mmdfkd config computes the same
  logits: ``--arch vgg11`` is refused.

Every source key must be mapped and every weight of our model filled
(BatchNorm's ``num_batches_tracked`` is set to 0 when the file has none at
all, as checkpoints of torch < 0.4.1 do), with the shapes of our model built
from its config; anything else raises :class:`DFKDInputError`.
"""
import argparse
import os
import os.path as osp
import re
from collections import OrderedDict
from typing import Callable, Dict, Optional, Tuple

import torch

from mmdfkd.utils import (DFKDInputError, NeedsUnpickling, atomic_write,
                          read_weights)
from .cli import cli_main

#: The BatchNorm2d entries of a state dict.
_BN = r'(weight|bias|running_mean|running_var|num_batches_tracked)'

#: --arch -> (key-mapping family, model base file, config variable).
ARCHS: Dict[str, Tuple[str, str, str]] = {
    'resnet34': ('resnet', 'resnet_cifar.py', 'resnet34_cifar'),
    'resnet18': ('resnet', 'resnet_cifar.py', 'resnet18_cifar'),
    'wrn40_2': ('wrn', 'wide_resnet.py', 'wrn40_2'),
    'wrn40_1': ('wrn', 'wide_resnet.py', 'wrn40_1'),
    'wrn16_2': ('wrn', 'wide_resnet.py', 'wrn16_2'),
    'wrn16_1': ('wrn', 'wide_resnet.py', 'wrn16_1'),
}
#: Architectures of the zju-vipa tables that mmdfkd cannot express.
UNSUPPORTED = {
    'vgg11': (
        "zju-vipa's VGG-11 (vgg11_bn of RepDistiller: no max-pool after "
        'block 3 at 32 px, global average pool, one Linear(512, C)) has no '
        "mmdfkd model: mmpretrain's VGG max-pools after every stage and ends "
        'in a 4096-wide three-layer classifier, so converted weights would '
        'give other logits. Fix: use one of the supported teachers (--arch '
        'resnet34, resnet18, wrn40_2, wrn40_1, wrn16_2, wrn16_1).'),
}


def _rename(rules, key: str) -> Optional[str]:
    """The first rule whose pattern matches all of ``key``, applied."""
    for pattern, target in rules:
        match = re.fullmatch(pattern, key)
        if match:
            return target(match) if callable(target) else match.expand(
                target)
    return None


_RESNET_RULES = [
    (r'conv1\.weight', 'backbone.conv1.weight'),
    (rf'bn1\.{_BN}', r'backbone.bn1.\1'),
    (r'layer([1-4])\.(\d+)\.(conv[12])\.weight',
     r'backbone.layer\1.\2.\3.weight'),
    (rf'layer([1-4])\.(\d+)\.(bn[12])\.{_BN}', r'backbone.layer\1.\2.\3.\4'),
    (r'layer([1-4])\.(\d+)\.shortcut\.0\.weight',
     r'backbone.layer\1.\2.downsample.0.weight'),
    (rf'layer([1-4])\.(\d+)\.shortcut\.1\.{_BN}',
     r'backbone.layer\1.\2.downsample.1.\3'),
    (r'linear\.(weight|bias)', r'head.fc.\1'),
]


def map_resnet_key(key: str) -> Optional[str]:
    """zju-vipa ``resnet.py`` key -> mmpretrain ``ResNet_CIFAR`` classifier
    key (None when ``key`` is not of that layout).

    ``conv1`` / ``bn1`` -> ``backbone.conv1`` / ``backbone.bn1``;
    ``layerS.I.{conv1,bn1,conv2,bn2}`` -> ``backbone.layerS.I.*``;
    ``layerS.I.shortcut.{0,1}`` -> ``backbone.layerS.I.downsample.{0,1}``;
    ``linear`` -> ``head.fc``.
    """
    return _rename(_RESNET_RULES, key)


def _wrn_block(match) -> str:
    group, index, name, rest = match.groups()
    name = 'shortcut' if name == 'convShortcut' else name
    return f'backbone.groups.{int(group) - 1}.{index}.{name}.{rest}'


_WRN_RULES = [
    (r'conv1\.weight', 'backbone.stem.weight'),
    (r'block([1-3])\.layer\.(\d+)\.(conv1|conv2|convShortcut)\.(weight)',
     _wrn_block),
    (rf'block([1-3])\.layer\.(\d+)\.(bn1|bn2)\.{_BN}', _wrn_block),
    (rf'bn1\.{_BN}', r'backbone.final_bn.\1'),
    (r'fc\.(weight|bias)', r'head.fc.\1'),
]


def map_wrn_key(key: str) -> Optional[str]:
    """zju-vipa ``wresnet.py`` key -> :class:`mmdfkd.models.WideResNet`
    classifier key (None when ``key`` is not of that layout).

    ``conv1`` -> ``backbone.stem``; ``blockG.layer.I.{bn1,conv1,bn2,conv2}``
    -> ``backbone.groups.(G-1).I.*``; ``blockG.layer.I.convShortcut`` ->
    ``backbone.groups.(G-1).I.shortcut``; ``bn1`` -> ``backbone.final_bn``;
    ``fc`` -> ``head.fc``.
    """
    return _rename(_WRN_RULES, key)


#: Key-mapping family -> its mapping function.
KEY_MAPS: Dict[str, Callable[[str], Optional[str]]] = dict(
    resnet=map_resnet_key, wrn=map_wrn_key)


def guess_arch(state_dict: dict) -> Optional[str]:
    """The zju-vipa architecture a state dict's keys and shapes look like
    (an ``--arch`` value, or a description), or None."""
    keys = set(state_dict)
    if 'block0.0.weight' in keys and 'classifier.weight' in keys:
        return 'vgg11'
    if 'block1.layer.0.conv1.weight' in keys:
        blocks = {int(m.group(1)) for k in keys
                  if (m := re.match(r'block1\.layer\.(\d+)\.', k))}
        width = state_dict['block1.layer.0.conv1.weight'].shape[0] // 16
        return f'wrn{6 * len(blocks) + 4}_{width}'
    if 'layer1.0.conv1.weight' in keys:
        if any('.conv3.' in k for k in keys):
            return 'a bottleneck ResNet (resnet50/101/152)'
        blocks = tuple(
            len({m.group(1) for k in keys
                 if (m := re.match(rf'layer{s}\.(\d+)\.', k))})
            for s in range(1, 5))
        return {(2, 2, 2, 2): 'resnet18', (3, 4, 6, 3): 'resnet34'}.get(
            blocks, f'a ResNet with {blocks} blocks per stage')
    return None


def _hint(state_dict: dict, arch: str, shape: bool = False) -> str:
    guess = guess_arch(state_dict)
    if guess == arch:
        what = ('its tensors are not all of their shapes' if shape else
                'not all of its keys are there')
        return (f'the file is laid out as a zju-vipa {arch} but {what}: give '
                'an unmodified file of their release (extract the download '
                'again).')
    if guess in ARCHS:
        return f'the file looks like --arch {guess}; pass that.'
    if guess in UNSUPPORTED:
        return (f'the file looks like zju-vipa {guess}, which mmdfkd cannot '
                f'express (--arch {guess} says why).')
    if guess is not None and guess not in ARCHS:
        return (f'the file looks like {guess}, which this converter does not '
                'support; give a zju-vipa checkpoint of one of '
                f'{", ".join(ARCHS)}.')
    return ('pass the --arch of the file (the <arch> of zju-vipa\'s '
            'checkpoints/pretrained/<dataset>_<arch>.pth).')


def model_config(arch: str, num_classes: int):
    """Our model config for ``arch``: its variable of
    ``configs/_base_/models/<file>`` with ``head.num_classes`` set."""
    from mmengine.config import Config
    _check_arch(arch)
    _, base_file, variable = ARCHS[arch]
    path = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), '.mim',
                    'configs', '_base_', 'models', base_file)
    cfg = Config.fromfile(path)[variable]
    cfg.head.num_classes = num_classes
    return cfg


def build_model(arch: str, num_classes: int) -> torch.nn.Module:
    """Our classifier for ``arch`` (mmpretrain ``ImageClassifier``), built
    from :func:`model_config`."""
    from mmdfkd.registry import MODELS
    return MODELS.build(model_config(arch, num_classes))


def _check_arch(arch: str) -> None:
    if arch in UNSUPPORTED:
        raise DFKDInputError(UNSUPPORTED[arch])
    if arch not in ARCHS:
        raise DFKDInputError(
            f'unknown zju-vipa architecture {arch!r}. Fix: use one of '
            f'{", ".join(ARCHS)}.')


def _source_state_dict(ckpt, src: str) -> 'OrderedDict[str, torch.Tensor]':
    """The state dict of a zju-vipa file: its ``state_dict`` entry (or the
    file itself), ``module.`` stripped, tensors only."""
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else ckpt
    if not isinstance(state, dict) or not state:
        raise DFKDInputError(
            f'{src} holds no state dict (got {type(state).__name__}). Fix: '
            'give a zju-vipa teacher file (checkpoints/pretrained/'
            "<dataset>_<arch>.pth, a dict with 'state_dict') or a state dict.")
    out = OrderedDict()
    for key, value in state.items():
        name = re.sub(r'^module\.', '', str(key))
        if not torch.is_tensor(value):
            raise DFKDInputError(
                f'{src}: entry {key!r} of its state dict is not a tensor '
                f'({type(value).__name__}). Fix: give a state '
                "dict of tensors (the file's 'state_dict').")
        if name in out:
            raise DFKDInputError(
                f'{src} holds {name!r} both with and without a "module." '
                'prefix. Fix: keep one copy of the weights.')
        out[name] = value
    return out


def _examples(keys, n: int = 3) -> str:
    keys = sorted(keys)
    shown = ', '.join(repr(k) for k in keys[:n])
    return shown + (', ...' if len(keys) > n else '')


def convert(state_dict: dict,
            arch: str,
            num_classes: Optional[int] = None,
            src: str = 'the checkpoint') -> 'OrderedDict[str, torch.Tensor]':
    """Convert a zju-vipa state dict to the keys of our ``arch`` model.

    Args:
        state_dict (dict): The zju-vipa state dict, or the whole file (a dict
            with ``state_dict``); a ``module.`` prefix is stripped.
        arch (str): One of :data:`ARCHS` (``resnet34``, ``wrn40_2``, ...).
        num_classes (int, optional): Classes of the teacher; defaults to the
            rows of the file's classifier (``linear`` / ``fc``).
        src (str): The file's name, to word the errors.

    Returns:
        OrderedDict[str, torch.Tensor]: A state dict that
        :func:`build_model` ``(arch, num_classes)`` loads with
        ``strict=True``, in its key order.

    Raises:
        DFKDInputError: ``arch`` is unknown or unsupported (VGG-11), a key of
            the file has no place in our model, a weight of our model is not
            in the file, or a shape differs.
    """
    _check_arch(arch)
    family = ARCHS[arch][0]
    source = _source_state_dict(state_dict, src)
    mapped, unexpected = {}, []
    for key, value in source.items():
        target = KEY_MAPS[family](key)
        if target is None:
            unexpected.append(key)
        else:
            mapped[target] = (key, value)
    head = 'linear.weight' if family == 'resnet' else 'fc.weight'
    if num_classes is None:
        num_classes = source[head].shape[0] if head in source else 10
    elif head in source and source[head].shape[0] != num_classes:
        raise DFKDInputError(
            f'{src} has {source[head].shape[0]} classes ({head} is '
            f'{tuple(source[head].shape)}), not --num-classes {num_classes}. '
            f'Fix: pass --num-classes {source[head].shape[0]} (or drop it).')
    reference = build_model(arch, num_classes).state_dict()
    unexpected += [key for target, (key, _) in mapped.items()
                   if target not in reference]
    fill_counts = not any(k.endswith('num_batches_tracked') for k in source)
    missing = [k for k in reference if k not in mapped and not (
        fill_counts and k.endswith('num_batches_tracked'))]
    if unexpected or missing:
        parts = []
        if unexpected:
            parts.append(f'{len(unexpected)} keys of the file have no place '
                         f"in mmdfkd's {arch} ({_examples(unexpected)})")
        if missing:
            parts.append(f"{len(missing)} weights of mmdfkd's {arch} are not "
                         f'in the file ({_examples(missing)})')
        raise DFKDInputError(
            f'{src} does not have the zju-vipa {arch} layout: '
            f'{" and ".join(parts)}. Fix: {_hint(source, arch)}')
    out = OrderedDict()
    for target, ref in reference.items():
        if target not in mapped:  # num_batches_tracked of an old file
            out[target] = torch.zeros_like(ref)
            continue
        key, value = mapped[target]
        if value.shape != ref.shape:
            raise DFKDInputError(
                f'{src}: {key!r} has shape {tuple(value.shape)}, but '
                f"{target!r} of mmdfkd's {arch} has {tuple(ref.shape)}. "
                f'Fix: {_hint(source, arch, shape=True)}')
        out[target] = value
    return out


@cli_main
def main(argv=None) -> int:
    """Convert SRC (a zju-vipa teacher) to DST (``{'state_dict', 'meta'}``);
    returns the exit status."""
    parser = argparse.ArgumentParser(
        description='Convert a zju-vipa CMI / Fast-Datafree CIFAR teacher '
        'to an mmdfkd teacher checkpoint')
    parser.add_argument('src', help='zju-vipa checkpoint, e.g. '
                        'checkpoints/pretrained/cifar10_resnet34.pth')
    parser.add_argument('dst', help='output .pth for model.teacher.checkpoint')
    parser.add_argument('--arch', required=True,
                        choices=sorted(ARCHS) + sorted(UNSUPPORTED),
                        help='the <arch> of <dataset>_<arch>.pth')
    parser.add_argument('--num-classes', type=int,
                        help='10 (CIFAR-10) or 100 (CIFAR-100); defaults to '
                        "the rows of the file's classifier")
    args = parser.parse_args(argv)
    _check_arch(args.arch)
    if args.num_classes is not None and args.num_classes < 1:
        raise DFKDInputError(
            f'--num-classes must be positive, got {args.num_classes}. Fix: '
            'pass 10 for CIFAR-10, 100 for CIFAR-100.')
    if not osp.isfile(args.src):
        raise DFKDInputError(
            f'zju-vipa checkpoint not found: {args.src}. Fix: download '
            "their README's Dropbox-Models (266 MB) and give "
            'checkpoints/pretrained/<dataset>_<arch>.pth.')
    try:
        ckpt = read_weights(args.src, what='zju-vipa checkpoint')
    except NeedsUnpickling as e:
        raise DFKDInputError(
            f'refusing to unpickle {args.src}: it holds more than weights '
            f'({e.reason}). Fix: if you trust the file, run python '
            f'tools/model_converters/extract_weights.py {args.src} '
            'PLAIN.pth and convert PLAIN.pth.') from e
    state = convert(ckpt, args.arch, args.num_classes, src=args.src)
    num_classes = state['head.fc.weight'].shape[0]
    _, base_file, variable = ARCHS[args.arch]
    meta = dict(
        converted_from='zju-vipa (CMI / Fast-Datafree)',
        source=osp.basename(args.src),
        arch=args.arch,
        num_classes=int(num_classes),
        config=f'configs/_base_/models/{base_file}: {variable}')
    if isinstance(ckpt, dict):  # what train_scratch.py recorded
        for key in ('epoch', 'best_acc1'):
            if isinstance(ckpt.get(key), (int, float)):
                meta[f'source_{key}'] = ckpt[key]
    dirname = osp.dirname(osp.abspath(args.dst))
    os.makedirs(dirname, exist_ok=True)
    with atomic_write(args.dst) as f:
        torch.save(dict(state_dict=state, meta=meta), f)
    print(f'{len(state)} tensors of zju-vipa {args.arch} ({num_classes} '
          f'classes) written to {args.dst}: use it as the teacher checkpoint '
          f'of {variable} (head.num_classes={num_classes}), e.g. '
          f'--cfg-options model.teacher.checkpoint={args.dst}')
    return 0
