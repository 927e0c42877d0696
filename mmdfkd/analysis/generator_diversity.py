"""Report how diverse a trained generator's samples are (mode collapse).

    python tools/analysis/generator_diversity.py CONFIG \
        [--generator-checkpoint PATH] [--teacher-checkpoint PATH] \
        [--num 2000] [--mode eval|train] [--batch-size N] [--seed 0] \
        [--device cpu] [--json OUT] [--cfg-options k=v ...]

Builds the config's teacher(s) and generator (not the student), draws
``--num`` images and prints the teacher's class histogram, its entropy, the
largest class fraction, the mean pairwise L2 distance of the images and the
teacher's mean confidence (:func:`mmdfkd.evaluation.sample_diversity`).

The generator's weights are, in order: ``--generator-checkpoint``, the
config's ``model.generator_checkpoint`` (RDSKD stage 3), or the
``generator.pth`` that a generator-only run of the config (RDSKD stage 2)
wrote to ``work_dirs/<config name>/``. A state dict of a whole algorithm
(keys ``generator.*``, e.g. from ``tools/model_converters/
extract_weights.py``) works too. ``--mode`` defaults to how the student sees
the generator: ``eval`` for RDSKD / FrozenGeneratorKD configs (frozen
generator, BN running statistics), ``train`` otherwise (DAFL, DFAD: batch
statistics). With several teachers the histogram is their ensemble's.
"""
import argparse
import json
import os.path as osp

import torch
from mmengine.config import Config, DictAction

import mmdfkd  # noqa: F401  (registers the `mmdfkd::` config scope)
from mmdfkd.apis import cli_main, register_all_modules
from mmdfkd.evaluation import sample_diversity
from mmdfkd.models import build_teacher, load_frozen, load_state_dict_safely
from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError

EVAL_MODE_TYPES = ('RDSKD', 'FrozenGeneratorKD')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='an mmdfkd config with a generator')
    parser.add_argument('--generator-checkpoint', help='generator weights')
    parser.add_argument('--teacher-checkpoint', help='teacher weights')
    parser.add_argument('--num', type=int, default=2000,
                        help='number of generated images')
    parser.add_argument('--mode', choices=['eval', 'train'],
                        help='generator mode (default: see above)')
    parser.add_argument('--batch-size', type=int,
                        help="default: the config's train batch size")
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--json', help='also write the results here')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings')
    return parser.parse_args(argv)


def _generator_checkpoint(cfg: Config, args) -> str:
    if args.generator_checkpoint:
        return args.generator_checkpoint
    if cfg.model.get('generator_checkpoint'):
        return cfg.model.generator_checkpoint
    name = osp.splitext(osp.basename(args.config))[0]
    exported = osp.join(cfg.get('work_dir') or osp.join('work_dirs', name),
                        'generator.pth')
    if osp.isfile(exported):
        return exported
    raise DFKDInputError(
        f'no generator checkpoint for {args.config}: none given, the config '
        f'has no model.generator_checkpoint and {exported} does not exist. '
        'Fix: pass --generator-checkpoint PATH (a generator-only run writes '
        'work_dirs/<config name>/generator.pth).')


def build(cfg: Config, args):
    """The config's frozen generator and a teacher callable (logits)."""
    model = cfg.model
    if model.get('generator') is None:
        raise DFKDInputError(
            f'{args.config} has no model.generator: give the config of a '
            'data-free run (e.g. configs/rdskd/rdskd_student_*.py).')
    if args.teacher_checkpoint:
        if model.get('teacher') is None:
            raise DFKDInputError(
                '--teacher-checkpoint needs a single-teacher config; set '
                'several with --cfg-options model.teachers.NAME.checkpoint=X')
        model.teacher.checkpoint = args.teacher_checkpoint
    if model.get('teacher') is not None:
        teachers = [build_teacher(model.teacher)]
    else:
        teachers = [build_teacher(t) for t in model.teachers.values()]
    teachers = [t.to(args.device) for t in teachers]

    def teacher(images: torch.Tensor) -> torch.Tensor:
        return torch.stack([t(images) for t in teachers]).mean(0)  # (N, K)

    checkpoint = _generator_checkpoint(cfg, args)
    state = load_state_dict_safely(checkpoint, what='generator')
    prefix = model.get('generator_prefix') or (
        'generator.' if any(k.startswith('generator.') for k in state)
        else None)
    generator = load_frozen(MODELS.build(model.generator), checkpoint,
                            what='generator', prefix=prefix)
    return generator.to(args.device), teacher, checkpoint


@cli_main
def main(argv=None) -> int:
    """``tools/analysis/generator_diversity.py``; returns the exit status."""
    args = parse_args(argv)
    register_all_modules()
    if not osp.isfile(args.config):
        raise DFKDInputError(f'config file not found: {args.config}.')
    if args.num < 2:
        raise DFKDInputError(f'--num must be at least 2, got {args.num}.')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    generator, teacher, checkpoint = build(cfg, args)
    mode = args.mode or ('eval' if cfg.model.type in EVAL_MODE_TYPES
                         else 'train')
    batch_size = args.batch_size or cfg.get(
        'train_dataloader', {}).get('batch_size', 256)
    if mode == 'train' and batch_size < 2:
        raise DFKDInputError('train-mode BN needs --batch-size >= 2.')
    latent_dim = getattr(generator, 'latent_dim',
                         cfg.model.generator.get('latent_dim'))
    result = sample_diversity(
        generator, teacher, num_samples=args.num, latent_dim=latent_dim,
        batch_size=batch_size, generator_mode=mode, seed=args.seed,
        device=args.device)
    result.update(config=args.config, generator_checkpoint=checkpoint,
                  batch_size=batch_size)
    hist = result['class_hist']
    print(f'{args.config}\ngenerator {checkpoint}, {args.num} samples, '
          f'{mode} mode, batch {batch_size}, seed {args.seed}\n')
    print('| metric | value |\n|---|---|')
    print('| teacher class histogram | ' + ' '.join(map(str, hist)) + ' |')
    print(f'| class entropy (nats) | {result["class_entropy"]:.3f} of '
          f'{result["class_entropy_max"]:.3f} (ln {len(hist)}) |')
    print(f'| max class fraction | {result["max_class_fraction"]:.3f} '
          f'(balanced: {1 / len(hist):.3f}) |')
    print(f'| mean pairwise L2 distance | '
          f'{result["mean_pairwise_distance"]:.3f} '
          f'({result["pairwise_samples"]} samples) |')
    print(f'| mean teacher confidence | '
          f'{result["mean_teacher_confidence"]:.3f} |')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(result, f, indent=2)
        print(f'\nwritten to {args.json}')
    return 0
