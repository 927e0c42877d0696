"""Training throughput of a DFKD algorithm against the official loop.

    python tools/analysis/benchmark_throughput.py CONFIG [--device cpu|cuda]
        [--amp] [--channels-last] [--compile] [--iters N] [--warmup W]
        [--rounds R] [--batch-size B] [--frozen-reference] [--seed S]
        [--cfg-options KEY=VALUE ...]
    torchrun --nproc_per_node 2 tools/analysis/benchmark_throughput.py \
        CONFIG --launcher pytorch [...]

Builds the config's algorithm with random teachers (speed does not depend on
the weights) and times, in one process and from the same initial weights:

* ``reference``: the official research code's loop for the method
  (``reference_loops.py``): plain ``torch.optim`` (torch's default
  implementation, no ``fused``), fp32, eager, NCHW, the
  official update order and ``no_grad`` placement; the modules the official
  scripts never freeze (the teachers) stay trainable, so their unused
  weight gradients are computed as there (``--frozen-reference`` freezes
  them as mmdfkd does);
* ``mmdfkd``: ``train_step`` of the algorithm built from the config as
  ``tools/train.py`` builds it (its optimizers, ``fused`` where the config's
  ``optim_wrapper.defaults`` asks for it), with the speed switches of
  ``docs/design.md`` set per setting: ``mmdfkd fp32`` is the float32
  baseline (``--no-amp``, ``model.channels_last=False``, no compile), and
  every combination of the requested levers is added: ``--amp`` (the
  wrappers switched as ``tools/train.py --amp`` does: bfloat16 autocast
  where supported), ``--channels-last`` (``model.channels_last=True``) and
  ``--compile`` (``model.compile``: the config's ``torch.compile``
  arguments, or True; a failure gives a ``compile failed`` row instead of
  a crash).

Every setting runs ``W`` warm-up iterations, then ``N`` timed iterations in
``R`` blocks interleaved across settings (the order rotates per block), so a
slow drift of a shared machine hits every setting alike. The same latent
batch is used throughout.

Reported per setting:

* images/s: synthetic images generated per second, counting one batch per
  generator forward of an iteration (``N`` for DAFL, RDSKD and the frozen
  generator stage; ``N * (student_steps + 1)`` for DFAD and CDFKD-MFS), each
  of which passes generator + teacher(s) + student (RDSKD's generator stage
  has no student);
* speed-up: reference time per iteration / the setting's;
* time split: share of the step time per phase. mmdfkd: from entering an
  optim wrapper's ``optim_context`` until the next one is entered, so each
  update's forward, backward, ``step`` and ``zero_grad`` count for its
  optimizer; ``other`` is the data preprocessor. Reference: marks at the
  same places in the loop; DAFL's official single backward over L_G + L_S
  and both optimizer steps are ``joint``. CPU: ``perf_counter``; CUDA: CUDA
  events (GPU time between the marks);
* memory: on CUDA ``torch.cuda.max_memory_allocated`` minus the memory
  allocated at the start of each timed block (all settings' models and
  optimizer states stay resident, so absolute peaks would not compare); on
  CPU the growth of the process's peak RSS (``getrusage().ru_maxrss``)
  over its value at the start of each block, after freed heap is trimmed
  (``malloc_trim``) and the peak is reset (``/proc/self/clear_refs``);
  where the reset is impossible the value is a lower bound, marked ``*``.
  Maximum over blocks.

``--launcher pytorch`` (torchrun, ``tools/dist_train.sh``-style env; gloo on
CPU, nccl on CUDA): each rank times its own copy, the algorithm wrapped as
in training (``MMSeparateDistributedDataParallel``) and the reference's
optimised modules in plain ``DistributedDataParallel``; images/s is
reported per rank. Ranks draw different latent batches.
"""
import argparse
import ctypes
import gc
import itertools
import os
import resource
import sys
import time
from contextlib import nullcontext
from typing import Callable, List, Optional, Tuple

import torch
import torch.distributed as dist
import torch.nn as nn
from mmengine.config import Config, DictAction
from mmengine.optim import OptimWrapperDict

from mmdfkd.apis import cli_main, register_all_modules
from .reference_loops import (REFERENCES, PhaseTimer, build_model,
                              build_optim, images_per_iter, latent_batch,
                              reference_copy, time_phases)

_CLEAR_REFS = '/proc/self/clear_refs'


class MemoryMeter:
    """Peak memory of a timed block, in MiB (see the module docstring)."""

    def __init__(self, device: torch.device):
        self.device = device
        self.cuda = device.type == 'cuda'
        self.resettable = self.cuda or os.access(_CLEAR_REFS, os.W_OK)
        try:
            self._trim = ctypes.CDLL('libc.so.6').malloc_trim
        except (OSError, AttributeError):
            self._trim = None
        self._base = 0

    @property
    def label(self) -> str:
        if self.cuda:
            return 'peak CUDA mem above block start (MiB)'
        return 'peak RSS growth (MiB)'

    def start(self) -> None:
        if self.cuda:
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            self._base = torch.cuda.memory_allocated(self.device)
            return
        gc.collect()
        if self._trim is not None:
            self._trim(0)
        if self.resettable:
            with open(_CLEAR_REFS, 'w') as f:
                f.write('5')  # peak RSS (VmHWM, ru_maxrss) := current RSS
        self._base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def stop(self) -> float:
        if self.cuda:
            torch.cuda.synchronize(self.device)
            peak = torch.cuda.max_memory_allocated(self.device)
            return (peak - self._base) / 2**20
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
        return (peak - self._base) / 2**10


class Setting:
    """One row of the table: a step function and what was measured."""

    def __init__(self, name: str, device: torch.device):
        self.name = name
        self.timer = PhaseTimer(device)
        self.step: Optional[Callable[[], None]] = None
        self.error: Optional[str] = None
        self.seconds = 0.0
        self.iters = 0
        self.memory = 0.0
        self.compiled = False


def _ddp_kwargs(device: torch.device) -> dict:
    return dict(device_ids=[device.index]) if device.type == 'cuda' else {}


def make_reference(base: nn.Module, cfg: Config, z: torch.Tensor,
                   setting: Setting, official: bool,
                   distributed: bool) -> None:
    ref_model, opts, ref = reference_copy(
        base, build_optim(base, cfg), official=official)
    if distributed:
        from torch.nn.parallel import DistributedDataParallel as DDP
        for name in opts:
            setattr(ref_model, name, DDP(
                getattr(ref_model, name), broadcast_buffers=False,
                **_ddp_kwargs(z.device)))

    def step():
        setting.timer.mark('other')
        ref.step(ref_model, opts, z, nullcontext, setting.timer)

    setting.step = step


def make_mmdfkd(base: nn.Module, cfg: Config, data: dict, setting: Setting,
                amp: bool, channels_last: bool, compile_: bool,
                distributed: bool) -> Tuple[nn.Module, OptimWrapperDict]:
    """Set ``setting.step`` to a ``train_step`` of the algorithm as
    ``tools/train.py`` builds it, from ``base``'s weights, with
    ``model.channels_last = channels_last``, ``model.compile`` (the
    config's, or True) only if ``compile_``, and the optim wrappers switched
    as by ``--amp`` (``amp``) or ``--no-amp``.

    Returns:
        tuple: The (unwrapped) algorithm and its optim wrappers.
    """
    device = next(base.parameters()).device
    compile_cfg = (cfg.model.get('compile') or True) if compile_ else False
    model = build_model(cfg, device, channels_last=channels_last,
                        compile=compile_cfg)
    model.load_state_dict(base.state_dict())
    wrapped = model
    if distributed:
        from mmengine.model import MMSeparateDistributedDataParallel
        kwargs = dict(broadcast_buffers=False, find_unused_parameters=False)
        kwargs.update({
            k: v
            for k, v in (cfg.get('model_wrapper_cfg') or {}).items()
            if k in kwargs
        })
        wrapped = MMSeparateDistributedDataParallel(
            module=model, **kwargs, **_ddp_kwargs(device))
    optim = build_optim(wrapped, cfg, amp)
    time_phases(optim, setting.timer)

    def step():
        setting.timer.mark('other')
        wrapped.train_step(data, optim)

    setting.step = step
    return model, optim


def _one_line(e: BaseException) -> str:
    text = f'{type(e).__name__}: {e}'.strip().splitlines()[0]
    return text.replace('|', '/')[:120]


def run_block(setting: Setting, iters: int, meter: MemoryMeter,
              device: torch.device, distributed: bool) -> None:
    if distributed:
        dist.barrier()
    meter.start()
    start = time.perf_counter()
    for _ in range(iters):
        setting.step()
    setting.timer.flush()  # synchronises on CUDA
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    setting.seconds += time.perf_counter() - start
    setting.iters += iters
    setting.memory = max(setting.memory, meter.stop())


def guarded(setting: Setting, fn: Callable[[], None], compiled: bool):
    """Run ``fn``; a compiled setting that fails is reported, not raised."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        if not compiled:
            raise
        setting.error = f'compile failed: {_one_line(e)}'


def split_text(totals: dict) -> str:
    total = sum(totals.values())
    if not total:
        return '-'
    short = dict(generator='gen', student='stu')
    order = ['generator', 'student', 'joint', 'other']
    names = order + sorted(set(totals) - set(order))
    return ' · '.join(f'{short.get(n, n)} {100 * totals[n] / total:.0f}'
                      for n in names if totals.get(n, 0) > 0)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--amp', action='store_true',
                        help='add mixed-precision settings')
    parser.add_argument('--channels-last', action='store_true',
                        help='add channels-last settings')
    parser.add_argument('--compile', action='store_true',
                        help='add torch.compile settings')
    parser.add_argument('--iters', type=int, default=20,
                        help='timed iterations per setting')
    parser.add_argument('--warmup', type=int, default=3,
                        help='warm-up iterations per setting')
    parser.add_argument('--rounds', type=int, default=4,
                        help='interleaved blocks the timed iterations are '
                        'split into')
    parser.add_argument('--batch-size', type=int, default=None)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--frozen-reference', action='store_true',
                        help='freeze the reference teachers as mmdfkd '
                        'does, instead of leaving them trainable as the '
                        'official code')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={},
                        help='override config keys for every setting and '
                        'the reference (e.g. model.stack_teachers=False)')
    parser.add_argument('--launcher', choices=['none', 'pytorch'],
                        default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if args.iters < 1 or args.warmup < 0 or args.rounds < 1:
        parser.error('--iters and --rounds must be >= 1, --warmup >= 0')
    return args


@cli_main
def main(argv=None) -> int:
    """``tools/analysis/benchmark_throughput.py``; returns the exit
    status."""
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    method = cfg.model.type
    if method not in REFERENCES:
        print(f'no reference loop for {method}; known: '
              f'{", ".join(sorted(REFERENCES))}', file=sys.stderr)
        return 1
    if args.device == 'cuda' and not torch.cuda.is_available():
        print('--device cuda: CUDA is not available', file=sys.stderr)
        return 1

    distributed = args.launcher == 'pytorch'
    rank, world = 0, 1
    device = torch.device(args.device)
    if distributed:
        local_rank = int(os.environ.get('LOCAL_RANK', args.local_rank))
        if args.device == 'cuda':
            device = torch.device('cuda', local_rank)
            torch.cuda.set_device(device)
        dist.init_process_group(
            backend='nccl' if args.device == 'cuda' else 'gloo')
        rank, world = dist.get_rank(), dist.get_world_size()

    torch.manual_seed(args.seed)  # same initial weights on every rank
    base = build_model(cfg, device)
    if distributed:  # different codes on each rank, as in training
        cfg.train_dataloader.dataset.seed = args.seed + rank
    data = latent_batch(cfg, args.batch_size)
    z = data['inputs'].to(device)
    n_images = images_per_iter(z)

    levers = [name for name, on in (('amp', args.amp),
                                    ('channels-last', args.channels_last),
                                    ('compile', args.compile)) if on]
    settings: List[Setting] = []
    reference = Setting('reference (official loop, fp32 eager)', device)
    make_reference(base, cfg, z, reference, not args.frozen_reference,
                   distributed)
    settings.append(reference)
    for combo in itertools.product((False, True), repeat=len(levers)):
        on = dict(zip(levers, combo))
        name = 'mmdfkd ' + ('amp' if on.get('amp') else 'fp32')
        name += ''.join(f' + {k}' for k in ('channels-last', 'compile')
                        if on.get(k))
        setting = Setting(name, device)
        compiled = on.get('compile', False)
        guarded(
            setting, lambda: make_mmdfkd(
                base, cfg, data, setting, on.get('amp', False),
                on.get('channels-last', False), compiled, distributed),
            compiled)
        setting.compiled = compiled
        settings.append(setting)

    meter = MemoryMeter(device)
    for s in settings:  # warm-up (and compilation)
        if s.error is None:
            guarded(s, lambda: [s.step() for _ in range(args.warmup)],
                    s.compiled)
            s.timer.flush()
            s.timer.totals.clear()
    rounds = min(args.rounds, args.iters)
    blocks = [args.iters // rounds + (r < args.iters % rounds)
              for r in range(rounds)]
    for r, iters in enumerate(blocks):
        order = settings[r % len(settings):] + settings[:r % len(settings)]
        for s in order:
            if s.error is None:
                guarded(s, lambda: run_block(s, iters, meter, device,
                                             distributed), s.compiled)
    if distributed:
        # what each rank measured (a compile failure on some ranks only
        # would leave the others waiting at the next barrier)
        results = [None] * world
        dist.all_gather_object(results, [
            (s.seconds, s.iters, s.memory, s.error) for s in settings])
    else:
        results = [[(s.seconds, s.iters, s.memory, s.error)
                    for s in settings]]

    if rank == 0:
        print_report(args, cfg, method, settings, results, z, n_images,
                     device, world, meter)
    if distributed:
        # free the DDP-wrapped copies (their reducers hold the process
        # group) before the group goes: destroying them at interpreter
        # exit, after it, aborted a rank now and then ("terminate called
        # without an active exception")
        settings.clear()
        del reference, setting
        gc.collect()
        dist.barrier()
        dist.destroy_process_group()
    return 0


def print_report(args, cfg, method, settings, results, z, n_images, device,
                 world, meter) -> None:
    load = ' / '.join(f'{x:.1f}' for x in os.getloadavg())
    print(f'config: {args.config}')
    print(f'method: {method}  batch: {z.size(0)}  images/iter: {n_images}  '
          f'device: {device.type}  threads: {torch.get_num_threads()}  '
          f'world size: {world}  torch: {torch.__version__}')
    print(f'timed: {args.iters} iterations per setting in '
          f'{min(args.rounds, args.iters)} interleaved blocks after '
          f'{args.warmup} warm-up; load average {load} on '
          f'{os.cpu_count()} CPUs')
    print('reference: official update order, torch.optim, fp32, eager, '
          'NCHW; teachers ' +
          ('frozen (--frozen-reference)' if args.frozen_reference else
           'trainable as in the official code'))
    mem_note = '' if meter.resettable else ' (* lower bound: no peak reset)'
    print(f'memory: {meter.label}, max over blocks{mem_note}')
    print()
    rate_head = 'images/s' + (' per rank' if world > 1 else '')
    print(f'| setting | {rate_head} | speed-up vs reference | '
          f'time split (%) | {meter.label} |')
    print('|---|---|---|---|---|')

    def per_iter(i):
        secs = [r[i][0] / r[i][1] for r in results if r[i][1]]
        return sum(secs) / len(secs) if secs else None

    ref_t = per_iter(0)
    for i, s in enumerate(settings):
        errors = [r[i][3] for r in results if r[i][3]]
        if errors:
            print(f'| {s.name} | {errors[0]} | - | - | - |')
            continue
        rates = [n_images * r[i][1] / r[i][0] for r in results]
        rate = ' / '.join(f'{x:.0f}' for x in rates)
        t = per_iter(i)
        speedup = f'{ref_t / t:.2f}x' if ref_t and t else '-'
        mem = max(r[i][2] for r in results)
        star = '' if meter.resettable else '*'
        print(f'| {s.name} | {rate} | {speedup} | '
              f'{split_text(s.timer.totals)} | {mem:.1f}{star} |')
