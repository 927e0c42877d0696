"""Class-conditional sampling from a trained CGDD generator.

    python tools/generate.py CONFIG CHECKPOINT --class K [K ...] --num N \
        --out DIR [--mode eval|train] [--seed S] [--device cpu|cuda]

CHECKPOINT is the run's ``generator.pth`` (plain weights) or one of its
``iter_*.pth`` checkpoints. For each class K, writes N images as
``DIR/class_K/NNNN.png`` and a grid ``DIR/class_K.png``, and reports how
often the config's teacher labels them K (the conditional fidelity); all
numbers also go to ``DIR/fidelity.json``. The generator samples in eval mode
(BN running statistics, i.e. the mixed-class batches it was trained on) by
default: in train mode a one-class batch would be standardised with its own
statistics.
"""
import argparse
import json
import os
import os.path as osp

import torch
from mmengine.config import DictAction
from torchvision.utils import make_grid, save_image

import mmdfkd  # noqa: F401  (registers the `mmdfkd::` config scope)
from mmdfkd.engine import is_trusted
from mmdfkd.models import build_teacher, load_frozen, load_state_dict_safely
from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError, atomic_write, sampling_mode
from .cli import cli_main, load_config
from .setup_env import register_all_modules


def parse_args(argv=None) -> argparse.Namespace:
    """The command line of ``tools/generate.py`` (``argv``: None for
    ``sys.argv``)."""
    parser = argparse.ArgumentParser(
        description='Generate images of given classes with a conditional '
        'generator and score them with the teacher')
    parser.add_argument('config', help='the CGDD config of the run')
    parser.add_argument('checkpoint', help='generator.pth or iter_*.pth')
    parser.add_argument('--class', dest='classes', type=int, nargs='+',
                        help='class index(es); default: every class')
    parser.add_argument('--num', type=int, default=64,
                        help='images per class')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--mode', choices=['eval', 'train'], default='eval',
                        help="the generator's BN mode while sampling")
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings')
    parser.add_argument(
        '--trust-checkpoint', action='store_true',
        help='unpickle CHECKPOINT in full even outside the run\'s work_dir '
        '(only for files you trust: unpickling can run code)')
    return parser.parse_args(argv)


def load_generator(generator: torch.nn.Module, checkpoint: str,
                   trusted: bool = False) -> None:
    """Load the generator strictly from plain weights or from a whole-run
    checkpoint (its ``generator.`` keys), and freeze it. The file is read
    ``weights_only`` (a plain ``generator.pth`` needs nothing more);
    ``trusted`` allows full unpickling (an ``iter_*.pth`` of the user's own
    run)."""
    if not osp.isfile(checkpoint):
        raise DFKDInputError(
            f'generator checkpoint not found: {checkpoint}. Fix: train the '
            'CGDD config first; its work_dir holds generator.pth.')
    try:
        state = load_state_dict_safely(checkpoint, what='generator')
    except DFKDInputError as e:
        if not (trusted and 'refusing to load' in str(e)):
            if 'refusing to load' in str(e):
                raise DFKDInputError(
                    f'{checkpoint} needs full unpickling, which can run '
                    'code from the file. Fix: give the run\'s plain '
                    'generator.pth, a checkpoint inside the config\'s '
                    'work_dir, or pass --trust-checkpoint if you trust the '
                    'file.') from e
            raise
        state = load_state_dict_safely(checkpoint, what='generator',
                                       trusted=True)
    prefix = 'generator.' if any(k.startswith('generator.')
                                 for k in state) else None
    load_frozen(generator, checkpoint, what='generator', prefix=prefix,
                trusted=trusted)


@torch.no_grad()
def generate(generator, teacher, preprocessor, label: int, num: int,
             seed: int, train_mode: bool, batch_size: int):
    """``num`` images of class ``label`` (de-normalised, 0..1) and the
    teacher's predicted classes for them."""
    rng = torch.Generator().manual_seed(seed * 100_003 + label)
    images, preds = [], []
    with sampling_mode(generator, train_mode):
        for start in range(0, num, batch_size):
            n = min(batch_size, num - start)
            labels = torch.full((n, ), label, dtype=torch.long)
            x = generator.sample(n, labels, rng=rng)        # (n, C, H, W)
            preds.append(teacher(x).argmax(1).cpu())
            images.append(preprocessor.denormalize(x.float()).cpu())
    return torch.cat(images), torch.cat(preds)


@cli_main
def main(argv=None) -> int:
    """``tools/generate.py``: sample and score; returns the exit status."""
    args = parse_args(argv)
    if args.num < 1 or args.batch_size < 1:
        raise DFKDInputError(
            f'--num ({args.num}) and --batch-size ({args.batch_size}) '
            'must be positive.')
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        raise DFKDInputError(
            f'--device {args.device}, but CUDA is not available here. Fix: '
            '--device cpu (the default on machines without a GPU).')
    if osp.exists(args.out) and not osp.isdir(args.out):
        raise DFKDInputError(
            f'--out {args.out} is a file. Fix: give a folder (it is '
            'created if missing).')
    cfg = load_config(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    register_all_modules()
    device = torch.device(args.device)
    work_dir = cfg.get('work_dir') or osp.join(
        './work_dirs', osp.splitext(osp.basename(args.config))[0])
    generator = MODELS.build(cfg.model.generator)
    if not getattr(generator, 'conditional', False):
        raise DFKDInputError(
            f'the generator of {args.config} '
            f'({cfg.model.generator.type}, condition='
            f"{cfg.model.generator.get('condition')!r}) is not "
            'class-conditional. Fix: use a CGDD config with a '
            'conditional generator.')
    load_generator(generator, args.checkpoint, is_trusted(
        args.checkpoint, work_dir, args.trust_checkpoint))
    teacher = build_teacher(cfg.model.teacher).to(device)
    preprocessor = MODELS.build(cfg.model.data_preprocessor).to(device)
    generator.to(device)
    classes = args.classes if args.classes is not None else list(
        range(generator.num_classes))
    bad = [k for k in classes if not 0 <= k < generator.num_classes]
    if bad:
        raise DFKDInputError(
            f'class {bad[0]} is out of range: the generator has '
            f'{generator.num_classes} classes (0..'
            f'{generator.num_classes - 1}).')

    os.makedirs(args.out, exist_ok=True)
    result = dict(config=args.config, checkpoint=args.checkpoint,
                  mode=args.mode, num=args.num, classes={})
    for k in classes:
        images, preds = generate(generator, teacher, preprocessor, k,
                                 args.num, args.seed, args.mode == 'train',
                                 args.batch_size)
        class_dir = osp.join(args.out, f'class_{k}')
        os.makedirs(class_dir, exist_ok=True)
        for i, img in enumerate(images):
            save_image(img, osp.join(class_dir, f'{i:04d}.png'))
        save_image(make_grid(images[:64], nrow=8),
                   osp.join(args.out, f'class_{k}.png'))
        agreement = (preds == k).float().mean().item() * 100
        result['classes'][k] = agreement
        print(f'class {k}: {args.num} images, teacher agrees on '
              f'{agreement:.2f} %')
    result['mean'] = sum(result['classes'].values()) / len(classes)
    print(f'mean teacher agreement: {result["mean"]:.2f} % '
          f'({len(classes)} classes, {args.mode} mode)')
    with atomic_write(osp.join(args.out, 'fidelity.json'), 'w') as f:
        json.dump(result, f, indent=2)
    return 0
