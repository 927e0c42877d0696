"""Plain-PyTorch reference loops of the official research code, and the
set-up shared by the speed benchmarks (:mod:`~mmdfkd.analysis.benchmark_step`,
:mod:`~mmdfkd.analysis.benchmark_throughput`).

Each loop in :data:`REFERENCES` makes one training iteration of an
``mmdfkd.algorithms`` method the way its official code does (each loop's
docstring names the official script it follows): plain ``torch.optim``
optimizers, eager modules, the official update order and the official
``no_grad`` / ``.detach()`` placement. It runs on a deep copy of an mmdfkd
algorithm and reads the loss weights from the copy's loss modules, so both
sides compute the same objective with the same networks. ``reference_copy(
..., official=True)`` also leaves trainable the modules that the official
scripts never freeze (the teachers; RDSKD's stage-3 generator): their
weight gradients are then computed and never used, as there. Where an
mmdfkd network fuses what the official one computes piece by piece (the
headers of :class:`~mmdfkd.models.MultiHeaderLeNet5`), the copy runs the
official form (:func:`per_header_forward`).

Tests: ``tests/test_tools/test_benchmark_throughput.py`` checks that one
reference iteration and one ``train_step`` give the same parameters.
"""
import copy
import inspect
import math
import time
import types
from collections import defaultdict
from contextlib import nullcontext
from typing import Callable, Dict, NamedTuple, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.optim import OptimWrapperDict, build_optim_wrapper

from mmdfkd.apis.train import set_precision  # tools/train.py --amp/--no-amp
from mmdfkd.models import MultiHeaderLeNet5, stage_outputs
from mmdfkd.registry import DATASETS, MODELS


class PhaseTimer:
    """Split wall time into named phases.

    ``mark(name)`` starts phase ``name`` (and ends the previous one);
    ``flush()`` closes the last phase and adds every span to
    :attr:`totals` (seconds). On CUDA the marks are CUDA events, read at
    ``flush`` (one synchronisation per block, none per phase); elsewhere
    they are ``time.perf_counter`` stamps. A disabled timer (``enabled=
    False``) does nothing.
    """

    def __init__(self, device: Optional[torch.device] = None,
                 enabled: bool = True):
        self.enabled = enabled
        self.cuda = device is not None and device.type == 'cuda'
        self.totals: Dict[str, float] = defaultdict(float)
        self._marks: list = []

    def _stamp(self):
        if self.cuda:
            event = torch.cuda.Event(enable_timing=True)
            event.record()
            return event
        return time.perf_counter()

    def mark(self, phase: str) -> None:
        if self.enabled:
            self._marks.append((phase, self._stamp()))

    def flush(self) -> None:
        if not self.enabled or not self._marks:
            return
        end = self._stamp()
        if self.cuda:
            torch.cuda.synchronize()
        stamps = [s for _, s in self._marks] + [end]
        for (phase, _), t0, t1 in zip(self._marks, stamps, stamps[1:]):
            self.totals[phase] += (t0.elapsed_time(t1) / 1e3
                                   if self.cuda else t1 - t0)
        self._marks = []


NO_TIMER = PhaseTimer(enabled=False)


def _kd(preds_S: torch.Tensor, preds_T: torch.Tensor,
        tau: float) -> torch.Tensor:
    """``kdloss`` of DAFL / RDSKD: tau^2 KL(p_T || p_S), summed over classes,
    averaged over the batch."""
    return F.kl_div(
        F.log_softmax(preds_S.float() / tau, 1),
        F.softmax(preds_T.float() / tau, 1),
        reduction='batchmean') * tau**2


def _neg_entropy(logits: torch.Tensor, log_base: float) -> torch.Tensor:
    p = F.softmax(logits, 1).mean(0)                        # (K, )
    return (p * torch.log(p)).sum() / math.log(log_base)


def dafl_reference(m, opts, z, cast=nullcontext, timer=NO_TIMER) -> None:
    """DAFL-train.py: L_G + L_S on one batch, one backward, both steps."""
    opt_g, opt_s = opts['generator'], opts['student']
    timer.mark('generator')
    opt_g.zero_grad()
    opt_s.zero_grad()
    with cast():
        images = m.generator(z)
        feats = m.teacher.extract_feat(images)
        t = m.teacher.head(feats)
    t = t.float()
    loss_g = (m.loss_oh.loss_weight * F.cross_entropy(t, t.argmax(1)) +
              m.loss_ie.loss_weight * _neg_entropy(t, m.loss_ie.log_base) -
              m.loss_act.loss_weight * feats[-1].float().abs().mean())
    timer.mark('student')
    with cast():
        s = m.student(images.detach())
    loss_s = m.loss_kd.loss_weight * _kd(s, t.detach(), m.loss_kd.tau)
    timer.mark('joint')  # the official code's one backward for both
    (loss_g + loss_s).backward()
    opt_g.step()
    opt_s.step()


def dfad_reference(m, opts, z, cast=nullcontext, timer=NO_TIMER) -> None:
    """DFAD_cifar.py: k student steps on G(z).detach(), then one generator
    step on -L1 (it also puts gradients on the student, zeroed before the
    student's next step)."""
    opt_g, opt_s = opts['generator'], opts['student']
    w = m.loss_discrepancy.loss_weight
    for step in range(m.student_steps):
        timer.mark('student')
        opt_s.zero_grad()
        with cast():
            fake = m.generator(z[:, step]).detach()
            t = m.teacher(fake)
            s = m.student(fake)
        loss_s = w * F.l1_loss(s.float(), t.detach().float())
        loss_s.backward()
        opt_s.step()
    timer.mark('generator')
    opt_g.zero_grad()
    with cast():
        fake = m.generator(z[:, -1])
        t = m.teacher(fake)
        s = m.student(fake)
    loss_g = -w * F.l1_loss(s.float(), t.float())
    loss_g.backward()
    opt_g.step()


def rdskd_reference(m, opts, z, cast=nullcontext, timer=NO_TIMER) -> None:
    """RDSKD generator-train.py: two half-batches through the teacher one by
    one, exp-penalised increments, snapshots once per epoch."""
    opt_g = opts['generator']
    timer.mark('generator')
    opt_g.zero_grad()
    with cast():
        images = m.generator(z)
        x1, x2 = images.split(images.size(0) // 2)
        o1, o2 = m.teacher(x1).float(), m.teacher(x2).float()
    o = torch.cat((o1, o2))
    loss_oh = m.loss_oh.loss_weight * F.cross_entropy(o, o.argmax(1))
    loss_ie = m.loss_ie.loss_weight * _neg_entropy(o, m.loss_ie.log_base)
    lz = torch.norm(x2.float() - x1.float()) / torch.norm(
        F.softmax(o2, 1) - F.softmax(o1, 1))
    loss = (torch.exp(loss_oh - m.loss_oh_prev) +
            torch.exp(loss_ie - m.loss_ie_prev) + m.loss_ds.loss_weight /
            (lz + 1e-20))
    loss.backward()
    opt_g.step()
    if int(m.num_steps) % m.epoch_length == m.snapshot_iter:
        m.loss_oh_prev.copy_(loss_oh.detach())
        m.loss_ie_prev.copy_(loss_ie.detach())
    m.num_steps += 1


def frozen_generator_kd_reference(m, opts, z, cast=nullcontext,
                                  timer=NO_TIMER) -> None:
    """RDSKD student-train.py: KD at temperature T on the eval-mode
    generator's images (generator and teacher run with autograd on)."""
    opt_s = opts['student']
    timer.mark('student')
    opt_s.zero_grad()
    with cast():
        images = m.generator(z)
        t = m.teacher(images)
        s = m.student(images.detach())
    loss = m.loss_kd.loss_weight * _kd(s, t.detach(), m.loss_kd.tau)
    loss.backward()
    opt_s.step()


class _FeatureHook:
    """CDFKD-MFS utils/forward.py ``FeatureHook``: a permanent forward hook
    on a BN layer that computes r_l on every forward (also the no-grad
    teacher forwards of the student steps)."""

    def __init__(self, module: nn.Module):
        self.handle = module.register_forward_hook(self.hook)
        self.r_feature = None

    def hook(self, module, inputs, output) -> None:
        x = inputs[0]
        nch = x.shape[1]
        mean = x.mean([0, 2, 3])
        var = x.permute(1, 0, 2, 3).contiguous().view([nch, -1]).var(
            1, unbiased=False)
        self.r_feature = torch.norm(module.running_var.data - var, 2) + \
            torch.norm(module.running_mean.data - mean, 2)


def per_header_forward(backbone, x: torch.Tensor) -> tuple:
    """:class:`~mmdfkd.models.MultiHeaderLeNet5`'s forward as the official
    multi-header students are written (``nets/mhresnet8x.py``): one call of
    each header's branch after the other, where mmdfkd runs the branches
    as one pass of grouped layers (same result up to float rounding)."""
    u1 = backbone.stages[0](x)
    u2 = backbone.stages[1](u1)
    u3 = backbone.stages[2](u2)
    feats = []
    for sep1, sep2, point in backbone.branches:
        a1 = F.max_pool2d(sep1(u1), kernel_size=3, stride=1)
        a2 = F.adaptive_avg_pool2d(sep2(torch.cat([u2, a1], dim=1)), 1)
        feats.append(torch.flatten(point(torch.cat([u3, a2], dim=1)), 1))
    return tuple(feats)


def cdfkd_mfs_setup(m) -> None:
    backbone = m.student.backbone
    if isinstance(backbone, MultiHeaderLeNet5):
        backbone.forward = types.MethodType(per_header_forward, backbone)
    m.reference_bn_hooks = [[
        _FeatureHook(mod) for mod in t.modules()
        if isinstance(mod, nn.BatchNorm2d)
    ] for t in m.frozen_teachers().values()]


def cdfkd_mfs_reference(m, opts, z, cast=nullcontext,
                        timer=NO_TIMER) -> None:
    """CDFKD_MFS.py: k student steps (generator and teachers under
    no_grad), then one generator step backpropagated teacher by teacher
    with ``retain_graph=True``."""
    opt_g, opt_s = opts['generator'], opts['student']
    teachers = list(m.frozen_teachers().values())
    n = len(teachers)
    for step in range(m.student_steps):
        timer.mark('student')
        with torch.no_grad(), cast():
            images = m.generator(z[:, step])
            t_feats = [t.extract_feat(images) for t in teachers]
            t_logits = [t.head(f).float() for t, f in zip(teachers, t_feats)]
        with cast():
            s_logits, s_feats = m.student(images, mode='heads')
        s_logits = [s.float() for s in s_logits]
        loss = m.loss_head.loss_weight * torch.stack(
            [F.l1_loss(s, t) for s, t in zip(s_logits, t_logits)]).mean()
        if m.loss_feat is not None:
            loss = loss + m.loss_feat.loss_weight * torch.stack([
                (s.float() - f[-1].float()).abs().sum(1).mean()
                for s, f in zip(s_feats, t_feats)
            ]).mean()
        loss = loss + m.loss_ens.loss_weight * F.l1_loss(
            torch.stack(s_logits).mean(0), torch.stack(t_logits).mean(0))
        opt_s.zero_grad()
        loss.backward()
        opt_s.step()
    timer.mark('generator')
    opt_g.zero_grad()
    # Under DDP (benchmark_throughput --launcher pytorch) the student's
    # gradients of this step, which the official single-GPU code computes
    # and discards, stay local: DDP cannot reduce the student's parameters
    # once per teacher backward.
    no_sync = getattr(m.student, 'no_sync', nullcontext)
    with cast(), no_sync():
        images = m.generator(z[:, -1])
        s_logits, _ = m.student(images, mode='heads')
    for i, teacher in enumerate(teachers):
        with cast():
            t_logit = teacher(images)
        loss_g = -m.loss_adv.loss_weight * F.l1_loss(
            s_logits[i].float(), t_logit.float()) / n
        hooks = m.reference_bn_hooks[i]
        loss_bn = m.loss_bn.loss_weight * sum(
            h.r_feature.float() * (m.loss_bn.first_bn_multiplier
                                   if k == 0 else 1.)
            for k, h in enumerate(hooks)) / n
        (loss_g + loss_bn).backward(retain_graph=True)
        for h in hooks:
            h.r_feature = None
    opt_g.step()


def cgdd_setup(m) -> None:
    m.reference_bn_hooks = [
        _FeatureHook(mod) for mod in m.teacher.modules()
        if isinstance(mod, nn.BatchNorm2d)
    ] if m.loss_bn is not None else []


def _attention(feat: torch.Tensor) -> torch.Tensor:
    """ZSKT solver.py ``at(x)``: L2-normalised mean over channels of x^2."""
    return F.normalize(feat.float().pow(2).mean(1).view(feat.size(0), -1))


def cgdd_reference(m, opts, z, cast=nullcontext, timer=NO_TIMER) -> None:
    """CGDD has no official code: our design written the way the DFAD /
    ZSKT / CDFKD-MFS scripts are (permanent BN hooks on the teacher, autograd
    on for every forward, ``.detach()`` on the student's images)."""
    opt_g, opt_s = opts['generator'], opts['student']
    n = z.size(0)
    no_sync = getattr(m.student, 'no_sync', nullcontext)
    for step in range(m.generator_steps):
        timer.mark('generator')
        opt_g.zero_grad()
        labels = m.preset_labels(n, z.device)
        with cast(), no_sync():
            images = m.generator(z[:, step], labels)
            t = m.teacher(images).float()
            s = m.student(images).float() if m.loss_adv else None
        target = labels if m.conditional else t.argmax(1)
        loss = m.loss_label.loss_weight * F.cross_entropy(t, target)
        if m.loss_bn is not None:
            loss = loss + m.loss_bn.loss_weight * sum(
                h.r_feature.float() * (m.loss_bn.first_bn_multiplier
                                       if k == 0 else 1.)
                for k, h in enumerate(m.reference_bn_hooks))
        if m.loss_div is not None:
            x1, x2 = images.float().chunk(2)
            p1, p2 = F.softmax(t, 1).chunk(2)
            loss = loss + m.loss_div.loss_weight / (
                torch.norm(x2 - x1) / torch.norm(p2 - p1) + 1e-20)
        if m.loss_adv is not None:
            loss = loss - m.loss_adv.loss_weight * F.l1_loss(s, t)
        loss.backward()
        opt_g.step()
    for step in range(m.generator_steps, z.size(1)):
        timer.mark('student')
        opt_s.zero_grad()
        labels = m.preset_labels(n, z.device)
        with cast():
            images = m.generator(z[:, step], labels).detach()
            # one teacher pass for features and logits (ZSKT's models
            # return both), with autograd on as in the official scripts
            t_feats = m.teacher.extract_feat(images, stage='backbone')
            last = t_feats[-1:]
            t = m.teacher.head(m.teacher.neck(last) if m.teacher.with_neck
                               else last)
            if m.loss_feat is not None:
                s_feats, s = m.student(images, mode='stages')
            else:
                s = m.student(images)
        loss = m.loss_kd.loss_weight * _kd(s.float(), t.detach().float(),
                                           m.loss_kd.tau)
        if m.loss_feat is not None:
            index = {j: i for i, j in
                     enumerate(m.teacher.backbone.out_indices)}
            loss = loss + m.loss_feat.loss_weight * sum(
                (_attention(a) - _attention(t_feats[index[j]].detach()))
                .pow(2).mean() for a, j in zip(s_feats, m.feature_stages))
        loss.backward()
        opt_s.step()


#: ``torch.nn.utils.clip_grad_norm_(..., 5)`` of ZSKT solver.py (the configs'
#: ``optim_wrapper.*.clip_grad=dict(max_norm=5)``).
ZSKT_MAX_GRAD_NORM = 5.0


def zskt_reference(m, opts, z, cast=nullcontext, timer=NO_TIMER) -> None:
    """ZSKT solver.py: one pseudo-batch (one z) of ``n_generator_iter`` = 1
    generator step, then ``n_student_iter`` student steps, each on
    ``generator(z)`` recomputed with autograd on (the generator's gradients
    are never used); teacher and student run with autograd on in the
    generator step (the student's gradients are zeroed before its step),
    the teacher once under ``no_grad`` at the first student step; each
    step is ``zero_grad``, ``backward``, ``clip_grad_norm_(5)``, ``step``.
    The KL is ``F.kl_div``'s default element mean (batch mean / K)."""
    opt_g, opt_s = opts['generator'], opts['student']
    tau, w = m.loss_kd.tau, m.loss_kd.loss_weight

    def divergence(s, t):
        return w * _kd(s, t, tau) / t.size(1)

    timer.mark('generator')
    # under DDP the student's gradients of this step, computed and zeroed
    # unused by the official single-GPU code, stay local (as in CGDD's)
    no_sync = getattr(m.student, 'no_sync', nullcontext)
    with cast(), no_sync():
        x = m.generator(z)
        s = m.student(x)
        t = m.teacher(x)
    loss_g = -divergence(s.float(), t.float())
    opt_g.zero_grad()
    loss_g.backward()
    torch.nn.utils.clip_grad_norm_(m.generator.parameters(),
                                   ZSKT_MAX_GRAD_NORM)
    opt_g.step()
    for step in range(m.student_steps):
        timer.mark('student')
        with cast():
            x = m.generator(z)
            if step == 0:
                with torch.no_grad():
                    t_feats, t = stage_outputs(m.teacher, x, m.at_stages)
            if m.at_stages:
                s_feats, s = m.student(x, mode='stages')
            else:
                s = m.student(x)
        loss_s = divergence(s.float(), t.float())
        if m.at_stages:
            loss_s = loss_s + m.loss_at.loss_weight * sum(
                (_attention(a) - _attention(b)).pow(2).mean()
                for a, b in zip(s_feats, t_feats))
        opt_s.zero_grad()
        loss_s.backward()
        torch.nn.utils.clip_grad_norm_(m.student.parameters(),
                                       ZSKT_MAX_GRAD_NORM)
        opt_s.step()


class _SwitchedBNHook(_FeatureHook):
    """SpaceshipNet skyu_tools/net_magnifier.py ``DeepInversionFeatureHook``:
    a permanent hook that computes r_l only while switched on
    (``calloss(True)`` in train_G, off in train_S)."""

    on = False

    def hook(self, module, inputs, output) -> None:
        if self.on:
            super().hook(module, inputs, output)


def spaceshipnet_setup(m) -> None:
    m.reference_bn_hooks = [
        _SwitchedBNHook(mod) for mod in m.teacher.modules()
        if isinstance(mod, nn.BatchNorm2d)
    ] if m.synthesizer.loss_bn is not None else []
    m.reference_iter = 0


def _spaceship_forward(m, net, x: torch.Tensor, grads: list) -> tuple:
    """The official networks' forward (networks/resnet_cifar_1028.py): the
    stage outputs with gradient-saving hooks, and the logits."""
    outs = net.extract_feat(x, stage='backbone')
    index = {s: i for i, s in enumerate(net.backbone.out_indices)}
    feats = [outs[index[s]] for s in m.stages]
    for f in feats:
        if f.requires_grad:
            f.register_hook(grads.append)
    last = outs[-1:]
    return feats, net.head(net.neck(last) if net.with_neck else last)


def spaceshipnet_reference(m, opts, z, cast=nullcontext,
                           timer=NO_TIMER) -> None:
    """SpaceshipNet model_CFE_mSARC_base_V37.py: every ``kd_steps``
    iterations ``train_G`` (a new Adam on the persistent generator, fixed
    z, balanced labels, 0.5 CE + BN through permanent switched hooks, the
    best pre-step batch and its features), then one step of ``train_S``: a
    level, the per-pair channel-mix loop with probability p, the generator's
    later layers in eval mode, crop + flip, the teacher and student with
    autograd on and gradient hooks on their stage outputs,
    ``nn.KLDivLoss()`` (element mean) * T^2, the CAM MSE through 1x1
    convolutions holding copies of the fc weights, the Grad-CAM MSE from the
    hooks filled by ``autograd.grad`` w.r.t. all parameters. The three
    LMDB pools + DataLoaders are the copy's ``ImagePool`` (one shuffled
    draw for every level)."""
    syn, opt_s = m.synthesizer, opts['student']
    G, T, S = syn.generator, m.teacher, m.student
    if m.reference_iter % m.kd_steps == 0:
        timer.mark('synthesis')
        labels = torch.arange(syn.batch_size, device=z.device) % \
            syn.num_classes
        noise = torch.randn(syn.batch_size, G.latent_dim,
                            generator=syn.rng).to(z.device)
        opt_g = torch.optim.Adam(G.parameters(), syn.lr_g,
                                 betas=[0.5, 0.999])
        for h in m.reference_bn_hooks:
            h.on = True
        G.train()
        best_cost, best = 1e6, None
        for _ in range(syn.iterations):
            with cast():
                x, conv_outs = G.levels(noise)
                out = T(syn.normalize(syn.augment(x)))
            loss_g = 0.
            if syn.loss_oh is not None:
                loss_g = syn.loss_oh.loss_weight * F.cross_entropy(
                    out.float(), labels)
            if syn.loss_bn is not None:
                loss_g = loss_g + syn.loss_bn.loss_weight * sum(
                    h.r_feature.float() * (syn.loss_bn.first_bn_multiplier
                                           if k == 0 else 1.)
                    for k, h in enumerate(m.reference_bn_hooks))
            with torch.no_grad():
                if best is None or best_cost > loss_g.item():
                    best_cost = loss_g.item()
                    best = [x.detach()] + [c.clone().detach()
                                           for c in conv_outs]
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
        for h in m.reference_bn_hooks:
            h.on = False
        batch = dict(images=syn.normalize(best[0]), labels=labels)
        batch.update({f'feat{lv}': best[1 + lv] for lv in syn.levels})
        m.image_pool.add(batch)
    G.eval()
    timer.mark('student')
    data = m.image_pool.sample(m.batch_size)
    level = syn.levels[int(torch.randint(len(syn.levels), (),
                                         generator=syn.rng))]
    features = data[f'feat{level}']
    with torch.no_grad():
        if float(torch.rand((), generator=syn.rng)) < m.exchange_prob:
            n, c = features.shape[:2]
            picks = torch.rand(n, c, generator=syn.rng).argsort(1) < c // 2
            mixed = features.clone()
            for i in range(n):  # channel_mix_batch: one pair at a time
                m1 = picks[i].to(features).view(c, 1, 1)
                mixed[i] = features[i] * m1 + features[n - 1 - i] * (1 - m1)
            features = mixed
        images = syn.augment(G.render(features, level))
    x = syn.normalize(images)
    grads_T, grads_S = [], []
    # a frozen teacher (--frozen-reference) needs an input in the graph
    x_T = x.detach().requires_grad_(
        not any(p.requires_grad for p in T.parameters()))
    with cast():
        feats_T, t = _spaceship_forward(m, T, x_T, grads_T)
        feats_S, s = _spaceship_forward(m, S, x, grads_S)
    tau = m.loss_kd.tau
    k = t.size(1)
    # KDLoss(loss_weight=1/K) is nn.KLDivLoss()'s element mean
    loss = m.loss_kd.loss_weight * k * nn.KLDivLoss()(
        F.log_softmax(s.float() / tau, 1),
        F.softmax(t.float() / tau, 1)) * tau * tau
    if m.loss_cam is not None:
        last = m.stages.index(m.last_stage)
        cams = []
        for net, f in ((T, feats_T[last]), (S, feats_S[last])):
            conv = nn.Conv2d(net.head.fc.in_features, k, 1, bias=False).to(
                x.device)
            conv.weight.data = net.head.fc.weight.unsqueeze(2).unsqueeze(3)
            cams.append(conv(f.float()))
        loss = loss + m.loss_cam.loss_weight * F.mse_loss(cams[1], cams[0])
    if m.loss_gradcam is not None:
        one_hot = F.one_hot(t.max(1)[1], k).to(t.dtype)
        n = len(m.cam_stages)
        maps = []
        for net, out, feats, grads in ((T, t, feats_T, grads_T),
                                       (S, s, feats_S, grads_S)):
            params = [p for p in net.parameters() if p.requires_grad]
            if params:
                torch.autograd.grad(out, params, grad_outputs=one_hot,
                                    retain_graph=True, allow_unused=True)
            else:  # a frozen teacher (--frozen-reference)
                torch.autograd.grad(out, feats, grad_outputs=one_hot,
                                    retain_graph=True)
            saved = grads[::-1]
            maps.append([(g.mean([2, 3]).unsqueeze(2).unsqueeze(3) * f).sum(1)
                         for g, f in zip(saved[:n], feats[:n])])
        loss = loss + m.loss_gradcam.loss_weight * sum(
            F.mse_loss(a.float(), b.float()) for a, b in zip(*maps[::-1]))
    opt_s.zero_grad()
    loss.backward()
    opt_s.step()
    m.reference_iter += 1


class Reference(NamedTuple):
    """A method's reference loop.

    Attributes:
        step (callable): ``step(model, optimizers, z, cast, timer)``, one
            iteration on the reference copy.
        trainable (tuple[str]): Modules the official scripts load without
            freezing (weight gradients computed, never applied).
        setup (callable, optional): One-off set-up of the copy (hooks).
    """
    step: Callable
    trainable: Tuple[str, ...] = ('teacher', )
    setup: Optional[Callable] = None


REFERENCES: Dict[str, Reference] = dict(
    DAFL=Reference(dafl_reference),
    DFAD=Reference(dfad_reference),
    RDSKD=Reference(rdskd_reference),
    FrozenGeneratorKD=Reference(frozen_generator_kd_reference,
                                trainable=('teacher', 'generator')),
    CDFKDMFS=Reference(cdfkd_mfs_reference, trainable=('teachers', ),
                       setup=cdfkd_mfs_setup),
    CGDD=Reference(cgdd_reference, setup=cgdd_setup),
    ZSKT=Reference(zskt_reference),
    SpaceshipNet=Reference(spaceshipnet_reference, setup=spaceshipnet_setup),
)


def random_init(cfg: Config) -> Config:
    """The config with random teachers (and no stage-2 generator weights):
    speed does not depend on the weights."""
    cfg = copy.deepcopy(cfg)
    model = cfg.model
    for t in ([model.teacher] if 'teacher' in model else
              list(model.teachers.values())):
        t.init_random = True
    if 'generator_checkpoint' in model:  # RDSKD stage 3
        model.generator_checkpoint = None
        cls = MODELS.get(model.type)
        if 'init_random' in inspect.signature(cls).parameters:
            model.init_random = True
    return cfg


def build_model(cfg: Config, device: torch.device,
                channels_last: bool = False,
                compile: Union[bool, dict] = False) -> nn.Module:
    """The config's algorithm, random teachers, in train mode.

    Args:
        cfg (Config): The config.
        device (torch.device): Where the algorithm goes.
        channels_last (bool): ``model.channels_last``. Defaults to False
            (the plain NCHW networks the reference loops run).
        compile (bool | dict): ``model.compile``. Defaults to False.
    """
    cfg = random_init(cfg)
    cfg.model.update(channels_last=channels_last, compile=compile)
    model = MODELS.build(cfg.model).to(device)
    model.train()
    return model


def build_optim(model: nn.Module, cfg: Config,
                amp: bool = False) -> OptimWrapperDict:
    """The config's optim wrappers switched as ``tools/train.py --amp``
    (``amp``) or ``--no-amp`` (float32) does."""
    optim_cfg = set_precision(copy.deepcopy(cfg.optim_wrapper),
                              'amp' if amp else 'fp32')
    return build_optim_wrapper(model, optim_cfg)


def latent_batch(cfg: Config, batch_size: Optional[int] = None) -> dict:
    """One collated batch of the config's latent codes."""
    batch_size = batch_size or cfg.train_dataloader.batch_size
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    return default_collate([dataset[i] for i in range(batch_size)])


def images_per_iter(z: torch.Tensor) -> int:
    """Synthetic images generated per iteration: one batch per code, i.e.
    ``N`` for ``(N, D)`` codes, ``N * (k + 1)`` for ``(N, k + 1, D)``."""
    return z.size(0) * (z.size(1) if z.dim() == 3 else 1)


def reference_optimizers(model: nn.Module, optim: OptimWrapperDict,
                         default_impl: bool = False) -> Dict[str, object]:
    """Plain optimizers of the same class and hyperparameters as the
    mmdfkd wrappers, on ``model``'s submodules of the same names;
    ``default_impl`` leaves out the implementation flags (``fused``,
    ``foreach``), so torch picks its default implementation as the
    official code does."""
    skip = ('params', 'fused', 'foreach') if default_impl else ('params', )
    opts = {}
    for name, wrapper in optim.items():
        cls = type(wrapper.optimizer)
        args = inspect.signature(cls).parameters
        kwargs = {k: v for k, v in wrapper.optimizer.defaults.items()
                  if k in args and k not in skip}
        module = getattr(model, name)
        opts[name] = cls(module.parameters(), **kwargs)
    return opts


def reference_copy(model: nn.Module, optim: OptimWrapperDict,
                   official: bool = True):
    """A deep copy of ``model`` for its reference loop, and its optimizers.

    Args:
        model (nn.Module): The algorithm (before any step, so both sides
            start from the same weights).
        optim (OptimWrapperDict): Its wrappers (classes and
            hyperparameters are copied).
        official (bool): Leave trainable what the official scripts leave
            trainable (see :class:`Reference`) and use torch's default
            optimizer implementation (no ``fused`` / ``foreach``). False
            keeps mmdfkd's frozen modules and optimizer implementation (the
            same computation exactly).

    Returns:
        tuple: ``(copy, {name: torch optimizer}, Reference)``.
    """
    method = type(model).__name__
    if method not in REFERENCES:
        raise KeyError(f'no reference loop for {method}; known: '
                       f'{sorted(REFERENCES)}')
    ref = REFERENCES[method]
    ref_model = copy.deepcopy(model)
    if official:
        for name in ref.trainable:
            getattr(ref_model, name).requires_grad_(True)
    if ref.setup is not None:
        ref.setup(ref_model)
    return ref_model, reference_optimizers(
        ref_model, optim, default_impl=official), ref


def time_phases(optim: OptimWrapperDict, timer: PhaseTimer) -> None:
    """Attribute ``train_step`` time to optimizers: from entering a
    wrapper's ``optim_context`` until the next one is entered (or the step
    ends), time counts for that wrapper's key, so each update's forward,
    backward, ``step`` and ``zero_grad`` fall in its phase. Patches the
    wrappers' ``optim_context`` (instance attributes; ``del`` restores)."""
    for name, wrapper in optim.items():

        def optim_context(module, _name=name, _orig=wrapper.optim_context):
            timer.mark(_name)
            return _orig(module)

        wrapper.optim_context = optim_context
