"""Student accuracy over a hyper-parameter grid, methods side by side.

    G=configs/rdskd/rdskd_generator_lenet5_1xb256-600_digits.py
    S=configs/rdskd/rdskd_student_lenet5_lenet5-half_1xb256-2k_digits.py
    D=configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py
    python tools/analysis/robustness_sweep.py \
        --method rdskd=$G,$S --method dafl=$D \
        --lr-g 1e-3 1e-2 --latent-dim 64 100 --batch-size 128 256 \
        --teacher-checkpoint work_dirs/teacher_lenet5_digits/weights.pth \
        --seed 0 --amp --work-dir work_dirs/robustness_digits \
        [--iters-scale 0.5] [--cfg-options k=v ...] [--resume]

The grid is the product of the values given for ``--lr-g``, ``--latent-dim``
and ``--batch-size``; an axis left out keeps each config's own value. A
setting is applied to a method's stages (``NAME=STAGE1,STAGE2`` chains run as
in ``seed_runs.py``, ``generator.pth`` handed on) as follows:

* ``lr_G`` -> ``optim_wrapper.generator.optimizer.lr`` and ``batch_size`` ->
  ``train_dataloader.batch_size``, on the stages that train a generator
  (those with a ``generator`` optimizer: RDSKD's stage 1, DAFL's config);
* ``latent_dim`` -> ``model.generator.latent_dim`` and
  ``train_dataloader.dataset.latent_dim`` on every stage (a frozen
  generator must match the trained one);
* ``--iters-scale s`` multiplies every stage's ``train_cfg.max_iters``
  (``val_interval`` capped at the new length) for cheaper sweeps.

Then come ``--cfg-options`` (all stages; they win over the above). The
student top-1 of the last stage's last validation is the setting's result.
Every result is written to ``{work_dir}/results.json`` as soon as it exists;
``--resume`` skips settings already there (failed ones too, unless
``--retry-failed``), so an interrupted sweep loses nothing. A failed run
(non-finite loss, crash, no accuracy logged) is recorded with its error and
counts as the worst case. The table (one row per setting, one column per
method; mean, std, worst and wall time per method) is printed and written to
``{work_dir}/robustness.md``.
"""
import argparse
import itertools
import json
import os
import os.path as osp
import statistics
from typing import Dict, List

from mmengine.config import Config

from mmdfkd.apis import cli_main
from mmdfkd.utils import DFKDInputError
from .run_logs import RECORD_ANY_STUDENT, run_chain

AXES = ('lr_G', 'latent', 'batch')
#: results.json entries that must match for --resume to reuse results
SAME_FOR_RESUME = ('seed', 'amp', 'iters_scale', 'teacher_checkpoint',
                   'cfg_options')


class SweepError(DFKDInputError):
    """Bad command-line input, printed as one line (by :func:`cli_main`)."""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--method', action='append', required=True,
                        help='NAME=CONFIG or NAME=STAGE1,STAGE2 (repeatable)')
    parser.add_argument('--lr-g', type=float, nargs='+',
                        help='generator learning rates')
    parser.add_argument('--latent-dim', type=int, nargs='+',
                        help='latent sizes')
    parser.add_argument('--batch-size', type=int, nargs='+',
                        help='batch sizes of the generator-training stage')
    parser.add_argument('--teacher-checkpoint', help='teacher of every run')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--amp', action='store_true')
    parser.add_argument('--work-dir', required=True)
    parser.add_argument('--iters-scale', type=float, default=1.0,
                        help="multiply every stage's train_cfg.max_iters")
    parser.add_argument('--cfg-options', nargs='*', default=[],
                        help='extra k=v overrides for every stage')
    parser.add_argument('--resume', action='store_true',
                        help='skip settings recorded in results.json')
    parser.add_argument('--retry-failed', action='store_true',
                        help='with --resume, rerun the failed settings')
    return parser.parse_args(argv)


def _config_path(path: str) -> str:
    if osp.isfile(path):
        return osp.abspath(path)
    raise SweepError(f'config file not found: {path}')


def _stage_info(path: str) -> dict:
    """What a setting can change in one config."""
    cfg = Config.fromfile(path)
    optim = cfg.get('optim_wrapper') or {}
    train_cfg = cfg.get('train_cfg') or {}
    dataset = (cfg.get('train_dataloader') or {}).get('dataset') or {}
    return dict(
        trains_generator='generator' in optim,
        has_generator=cfg.model.get('generator') is not None,
        latent_dataset='latent_dim' in dataset,
        max_iters=train_cfg.get('max_iters'),
        val_interval=train_cfg.get('val_interval'))


def parse_methods(specs: List[str]) -> Dict[str, List[str]]:
    methods = {}
    for spec in specs:
        name, sep, configs = spec.partition('=')
        if not sep or not name or not configs:
            raise SweepError(f'--method {spec}: expected NAME=CONFIG or '
                             'NAME=STAGE1,STAGE2')
        if name in methods:
            raise SweepError(f'--method {name} given twice')
        methods[name] = [_config_path(c) for c in configs.split(',')]
    return methods


def stage_options(stages: List[dict], setting: dict,
                  iters_scale: float) -> List[List[str]]:
    """``k=v`` overrides of each stage for one setting."""
    options = []
    for info in stages:
        opts = []
        if info['trains_generator']:
            if setting['lr_G'] is not None:
                opts.append('optim_wrapper.generator.optimizer.lr='
                            f'{setting["lr_G"]}')
            if setting['batch'] is not None:
                opts.append(f'train_dataloader.batch_size={setting["batch"]}')
        if setting['latent'] is not None:
            if info['has_generator']:
                opts.append(f'model.generator.latent_dim={setting["latent"]}')
            if info['latent_dataset']:
                opts.append('train_dataloader.dataset.latent_dim='
                            f'{setting["latent"]}')
        if iters_scale != 1 and info['max_iters']:
            iters = max(1, round(info['max_iters'] * iters_scale))
            opts.append(f'train_cfg.max_iters={iters}')
            if info['val_interval']:
                interval = min(info['val_interval'], iters)
                opts.append(f'train_cfg.val_interval={interval}')
        options.append(opts)
    return options


def check_axes(methods: Dict[str, List[dict]], setting: dict) -> None:
    """Refuse an axis that a method has nothing to apply to."""
    for name, stages in methods.items():
        if (setting['lr_G'] is not None or setting['batch'] is not None) and \
                not any(s['trains_generator'] for s in stages):
            raise SweepError(
                f'{name}: no stage has a `generator` optimizer, so --lr-g / '
                '--batch-size do not apply')
        if setting['latent'] is not None and not any(
                s['has_generator'] for s in stages):
            raise SweepError(f'{name}: no generator, --latent-dim does not '
                             'apply')


def setting_key(setting: dict) -> str:
    return ','.join(f'{axis}={_fmt(setting[axis])}' for axis in AXES)


def _fmt(value) -> str:
    if value is None:
        return 'config'
    return f'{value:g}' if isinstance(value, float) else str(value)


def _slug(setting: dict) -> str:
    return '_'.join(f'{prefix}{_fmt(setting[axis])}' for prefix, axis in zip(
        ('lr', 'z', 'b'), AXES))


def _error_line(exc: BaseException) -> str:
    """One line: the run's ``mmdfkd error`` if it printed one."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith('mmdfkd error:'):
            return line
    return lines[-1] if lines else type(exc).__name__


def _save(path: str, data: dict) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, path)  # never a half-written results.json


def table(settings: List[dict], methods: List[str], runs: dict,
          meta: dict) -> str:
    """The markdown report."""
    lines = [
        f'Robustness sweep: seed {meta["seed"]}, iters scale '
        f'{meta["iters_scale"]:g}{", amp" if meta["amp"] else ""}, teacher '
        f'{meta["teacher_checkpoint"] or "(configs)"}.', '',
        '| lr_G | latent | batch | ' + ' | '.join(
            f'{m} top-1 (%)' for m in methods) + ' |',
        '|---|---|---|' + '---|' * len(methods)
    ]
    for setting in settings:
        key = setting_key(setting)
        cells = []
        for m in methods:
            run = runs.get(m, {}).get(key)
            cells.append('-' if run is None else 'FAILED' if run['top1']
                         is None else f'{run["top1"]:.2f}')
        lines.append('| ' + ' | '.join(_fmt(setting[a]) for a in AXES) +
                     ' | ' + ' | '.join(cells) + ' |')
    summary = dict(mean=[], std=[], worst=[], time=[])
    failures = []
    for m in methods:
        done = [runs[m][setting_key(s)] for s in settings
                if setting_key(s) in runs.get(m, {})]
        accs = [r['top1'] for r in done if r['top1'] is not None]
        failed = [r for r in done if r['top1'] is None]
        failures += [(m, r) for r in failed]
        ok = f' ({len(accs)}/{len(done)} ok)' if failed else ''
        summary['mean'].append(
            f'{statistics.mean(accs):.2f}{ok}' if accs else '-')
        summary['std'].append(
            f'{statistics.stdev(accs):.2f}' if len(accs) > 1 else '-')
        summary['worst'].append(
            f'FAILED ({len(failed)})' if failed else
            f'{min(accs):.2f}' if accs else '-')
        secs = sum(r['seconds'] for r in done)
        summary['time'].append(
            f'{secs:.0f} ({secs / len(done):.0f} per setting)'
            if done else '-')
    for label, key in (('mean', 'mean'), ('std', 'std'),
                       ('worst (min)', 'worst'), ('wall time (s)', 'time')):
        lines.append(f'| **{label}** | | | ' + ' | '.join(summary[key]) +
                     ' |')
    if failures:
        lines += ['', 'Failed settings:']
        lines += [f'- {m} {r["setting"]}: {r["error"]}' for m, r in failures]
    return '\n'.join(lines) + '\n'


@cli_main
def main(argv=None, runner=None) -> int:
    """``tools/analysis/robustness_sweep.py``; ``runner`` replaces
    :func:`~mmdfkd.analysis.run_logs.run_chain` (tests). Returns the exit
    status."""
    args = parse_args(argv)
    runner = runner or run_chain
    methods = parse_methods(args.method)
    stages = {m: [_stage_info(c) for c in cfgs]
              for m, cfgs in methods.items()}
    grid = [dict(zip(AXES, values)) for values in itertools.product(
        args.lr_g or [None], args.latent_dim or [None],
        args.batch_size or [None])]
    check_axes(stages, grid[0])
    if args.iters_scale <= 0:
        raise SweepError('--iters-scale must be positive')
    teacher = (osp.abspath(args.teacher_checkpoint)
               if args.teacher_checkpoint else None)
    if teacher is not None and not osp.isfile(teacher):
        raise SweepError(f'teacher checkpoint not found: {teacher}')
    meta = dict(seed=args.seed, amp=args.amp,
                iters_scale=args.iters_scale, teacher_checkpoint=teacher,
                cfg_options=args.cfg_options, methods=methods,
                axes=dict(lr_G=args.lr_g, latent=args.latent_dim,
                          batch=args.batch_size))
    args.work_dir = osp.abspath(args.work_dir)
    os.makedirs(args.work_dir, exist_ok=True)
    path = osp.join(args.work_dir, 'results.json')
    data = dict(meta=meta, runs={})
    if args.resume and osp.isfile(path):
        with open(path) as f:
            old = json.load(f)
        changed = [k for k in SAME_FOR_RESUME
                   if old['meta'].get(k) != meta[k]] + [
                       f'methods.{m}' for m in methods
                       if m in old['meta']['methods']
                       and old['meta']['methods'][m] != methods[m]]
        if changed:
            raise SweepError(
                f'{path} was written with other settings ('
                f'{", ".join(changed)}). Fix: run without --resume, or '
                'with another --work-dir.')
        data['runs'] = old['runs']
        data['meta']['methods'] = {**old['meta']['methods'], **methods}

    base = [f'randomness.seed={args.seed}', RECORD_ANY_STUDENT]
    if teacher is not None:
        base.append(f'model.teacher.checkpoint={teacher}')
    for setting in grid:
        key = setting_key(setting)
        for name, configs in methods.items():
            done = data['runs'].setdefault(name, {}).get(key)
            if done is not None and (done['top1'] is not None
                                     or not args.retry_failed):
                print(f'{name} {key}: recorded, skipped', flush=True)
                continue
            per_stage = [
                opts + list(args.cfg_options) for opts in stage_options(
                    stages[name], setting, args.iters_scale)
            ]
            run_dir = osp.join(args.work_dir, name, _slug(setting))
            record = dict(setting=key, **setting, top1=None, seconds=0.0,
                          stage_seconds=[], error=None, work_dir=run_dir)
            try:
                top1, secs = runner(configs, run_dir, base, args.amp,
                                    stage_options=per_stage)
                record.update(top1=top1, seconds=round(sum(secs), 1),
                              stage_seconds=secs)
                if top1 is None:
                    record['error'] = 'no accuracy/top1 logged'
            except RuntimeError as e:  # the run failed: record, go on
                record['error'] = _error_line(e)
            data['runs'][name][key] = record
            _save(path, data)
            print(f'{name} {key}: ' + (f'{record["top1"]:.2f}%' if
                                       record['top1'] is not None else
                                       f'FAILED ({record["error"]})'),
                  flush=True)
    report = table(grid, list(methods), data['runs'], meta)
    with open(osp.join(args.work_dir, 'robustness.md'), 'w') as f:
        f.write(report)
    print('\n' + report + f'\nwritten to {args.work_dir}/robustness.md and '
          'results.json')
    return 0
