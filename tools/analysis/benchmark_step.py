"""Time an algorithm's ``train_step`` against a hand-written PyTorch loop.

    python tools/analysis/benchmark_step.py CONFIG [--amp] [--batch-size N]
        [--iters K] [--rounds R] [--device cpu|cuda]

Both sides use the same modules (deep copies: generator, teacher, student),
the same optimizers and hyperparameters and the same latent batch; the
reference loop is what the official research code does (plain forward,
backward and ``optimizer.step()``). They run alternately, ``K`` iterations
per block, ``R`` rounds, in one process; the first round is warm-up. The last
line printed is ``step_time_ratio <mmdfkd / reference>``, the median over
rounds of the per-round ratio.
A randomly initialised teacher is used: speed does not depend on its weights.
"""
import argparse
import copy
import os.path as osp
import statistics
import sys
import time
from contextlib import nullcontext

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.optim import build_optim_wrapper

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

from mmdfkd.registry import DATASETS, MODELS  # noqa: E402
from mmdfkd.utils import register_all_modules  # noqa: E402


def _kl(s, t, tau):
    return F.kl_div(F.log_softmax(s / tau, 1), F.softmax(t / tau, 1),
                    reduction='batchmean') * tau**2


def dafl_reference(model, opt_g, opt_s, z, cast):
    """DAFL-train.py: one generator and one student update."""
    m = model
    with cast():
        images = m.generator(z)
        feats = m.teacher.extract_feat(images)
        t = m.teacher.head(feats)
    t = t.float()
    p = F.softmax(t, 1).mean(0)
    loss_g = (m.loss_oh.loss_weight * F.cross_entropy(t, t.argmax(1)) +
              m.loss_ie.loss_weight * (p * torch.log10(p)).sum() -
              m.loss_act.loss_weight * feats[-1].float().abs().mean())
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    with cast():
        s = m.student(images.detach())
    loss_s = _kl(s.float(), t.detach(), m.loss_kd.tau)
    opt_s.zero_grad()
    loss_s.backward()
    opt_s.step()


def dfad_reference(model, opt_g, opt_s, z, cast):
    """DFAD_cifar.py: k student updates, then one generator update."""
    m = model
    for step in range(m.student_steps):
        with cast():
            with torch.no_grad():
                images = m.generator(z[:, step])
                t = m.teacher(images)
            s = m.student(images)
        loss_s = F.l1_loss(s.float(), t.float())
        opt_s.zero_grad()
        loss_s.backward()
        opt_s.step()
    with cast():
        images = m.generator(z[:, -1])
        t = m.teacher(images)
        s = m.student(images)
    loss_g = -F.l1_loss(s.float(), t.float())
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()


REFERENCES = dict(DAFL=dafl_reference, DFAD=dfad_reference)


def build(cfg, device, amp):
    for t in ([cfg.model.teacher] if 'teacher' in cfg.model else
              list(cfg.model.teachers.values())):
        t.init_random = True
    model = MODELS.build(cfg.model).to(device)
    model.train()
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    if amp:
        for k, v in optim_cfg.items():
            if k != 'constructor':
                v['type'] = 'AutocastOptimWrapper'
    return model, build_optim_wrapper(model, optim_cfg)


def main(argv=None) -> int:
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
    model, optim = build(cfg, device, args.amp)
    ref_model = copy.deepcopy(model)
    ref_opt = {
        name: type(optim[name].optimizer)(
            getattr(ref_model, name).parameters(),
            **{k: v for k, v in optim[name].optimizer.defaults.items()
               if k in ('lr', 'momentum', 'weight_decay', 'betas', 'eps')})
        for name in ('generator', 'student')
    }
    batch_size = args.batch_size or cfg.train_dataloader.batch_size
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    data = default_collate([dataset[i] for i in range(batch_size)])
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
        REFERENCES[method](ref_model, ref_opt['generator'],
                           ref_opt['student'], z, cast)

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


if __name__ == '__main__':
    sys.exit(main())
