"""Time an algorithm's ``train_step`` against a hand-written PyTorch loop.

    python tools/analysis/benchmark_step.py CONFIG [--amp] [--batch-size N]
        [--iters K] [--rounds R] [--device cpu|cuda]

Both sides use the same modules (deep copies: generator, teacher, student,
all frozen as in mmdfkd), the same optimizers and hyperparameters and the
same latent batch; the reference loop (:mod:`mmdfkd.analysis.reference_loops`,
shared with ``benchmark_throughput.py``) is what the official research code
does (plain forward, backward and ``optimizer.step()`` in the official
order). They run alternately, ``K`` iterations per block, ``R`` rounds, in
one process; the first round is warm-up. The last line printed is
``step_time_ratio <mmdfkd / reference>``, the median over rounds of the
per-round ratio.
A randomly initialised teacher is used: speed does not depend on its weights.
"""
import argparse
import statistics
import sys
import time
from contextlib import nullcontext

import torch
from mmengine.config import Config

from mmdfkd.apis import cli_main, register_all_modules
from .reference_loops import (REFERENCES, build_model, build_optim,
                              latent_batch, reference_copy)


@cli_main
def main(argv=None) -> int:
    """``tools/analysis/benchmark_step.py``; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--amp', action='store_true')
    parser.add_argument('--batch-size', type=int, default=None)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--rounds', type=int, default=6)
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    method = cfg.model.type
    if method not in REFERENCES:
        print(f'no reference loop for {method}', file=sys.stderr)
        return 1
    device = torch.device(args.device)
    torch.manual_seed(0)
    model = build_model(cfg, device)
    optim = build_optim(model, cfg, args.amp)
    # same (frozen) modules on both sides: this measures the framework
    ref_model, ref_opt, ref = reference_copy(model, optim, official=False)
    data = latent_batch(cfg, args.batch_size)
    batch_size = data['inputs'].size(0)
    z = data['inputs'].to(device)

    def cast():
        if not args.amp:
            return nullcontext()
        return torch.autocast(device.type, dtype=torch.bfloat16)

    def sync():
        if device.type == 'cuda':
            torch.cuda.synchronize()

    def ours():
        model.train_step(data, optim)

    def reference():
        ref.step(ref_model, ref_opt, z, cast)

    times = dict(ours=[], reference=[])
    for r in range(args.rounds + 1):
        for name, fn in (('ours', ours), ('reference', reference)):
            sync()
            start = time.perf_counter()
            for _ in range(args.iters):
                fn()
            sync()
            if r > 0:  # round 0 is warm-up
                times[name].append((time.perf_counter() - start) /
                                   args.iters)
    ours_t = statistics.median(times['ours'])
    ref_t = statistics.median(times['reference'])
    print(f'config: {args.config}')
    print(f'method: {method}  batch: {batch_size}  amp: {args.amp}  '
          f'device: {device}  threads: {torch.get_num_threads()}')
    print(f'mmdfkd train_step: {ours_t * 1e3:.1f} ms/iter (rounds: ' +
          ', '.join(f'{t * 1e3:.1f}' for t in times['ours']) + ')')
    print(f'reference loop:    {ref_t * 1e3:.1f} ms/iter (rounds: ' +
          ', '.join(f'{t * 1e3:.1f}' for t in times['reference']) + ')')
    # Each round times both sides back to back, so the per-round ratio
    # cancels the machine's slow drifts; report its median.
    ratio = statistics.median(
        o / r for o, r in zip(times['ours'], times['reference']))
    print(f'ratio of medians: {ours_t / ref_t:.3f}')
    print(f'step_time_ratio {ratio:.3f}')
    return 0
