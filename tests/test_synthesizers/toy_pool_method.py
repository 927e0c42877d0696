"""The worked skeleton of docs/design.md: a pool-based method in one file.

A round-based synthesizer (pixels optimised from noise against the teacher,
plus one persistent parameter with a persistent optimizer, as Fast keeps
its meta-generator) and an algorithm that synthesises a round, keeps it in
the image pool and trains the student from the pool.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.algorithms import BaseDFKD
from mmdfkd.registry import MODELS
from mmdfkd.synthesizers import RoundSynthesizer
from mmdfkd.utils import add_prefix


@MODELS.register_module(force=True)
class ToyPixelSynthesizer(RoundSynthesizer):
    """x = noise + offset, optimised for ``steps`` Adam steps on CE(T(x), y);
    the pixels are new each round, ``offset`` and its optimizer persist."""

    def __init__(self, num, shape, num_classes, steps=3, lr=0.1):
        super().__init__()
        self.num, self.shape, self.steps, self.lr = num, shape, steps, lr
        self.num_classes, self.conditional = num_classes, True
        self.offset = nn.Parameter(torch.zeros(shape))
        self.register_optimizer('offset', torch.optim.Adam([self.offset], lr))

    def synthesize(self, teacher, student=None):
        device = self.offset.device
        labels = torch.arange(self.num, device=device) % self.num_classes
        pixels = self.randn(self.num, *self.shape, device=device)
        pixels.requires_grad_()
        optimizers = [torch.optim.Adam([pixels], self.lr),  # this round's
                      self._optimizers['offset']]           # across rounds
        for _ in range(self.steps):
            loss = F.cross_entropy(teacher(pixels + self.offset), labels)
            for opt in optimizers:
                opt.zero_grad()
            loss.backward()
            for opt in optimizers:
                opt.step()
        return dict(images=(pixels + self.offset).detach(), labels=labels,
                    log=dict(loss=loss.detach()))

    @torch.no_grad()
    def sample(self, num, labels=None, rng=None):
        return torch.randn(num, *self.shape, generator=rng).to(
            self.offset.device) + self.offset


@MODELS.register_module(force=True)
class ToyPoolKD(BaseDFKD):
    """Each iteration: a synthesis round into the pool, then student KD
    steps on batches drawn (and augmented) from the pool."""

    image_sources = ('synthesizer', 'image_pool')

    def __init__(self, loss_kd, batch_size, student_steps=1, **kwargs):
        super().__init__(**kwargs)
        self.loss_kd = MODELS.build(loss_kd)
        self.batch_size, self.student_steps = batch_size, student_steps

    def train_step(self, data, optim_wrapper):
        # 1. One synthesis round (per rank, with the synthesizer's own
        #    optimizers), 2. kept in the pool, 3. the student learns from it.
        batch = self.image_source.synthesize(self.teacher, self.student)
        self.image_pool.add(batch)
        for _ in range(self.student_steps):
            log_S = self.train_student(
                self.image_pool.sample(self.batch_size),
                optim_wrapper['student'])
        return {**add_prefix(batch['log'], 'syn'), **add_prefix(log_S, 'stu')}

    def train_student(self, batch, wrapper):
        with wrapper.optim_context(self.student):
            with torch.no_grad():
                logits_T = self.teacher(batch['images'])
            losses = dict(loss_kd=self.loss_kd(self.student(batch['images']),
                                               logits_T))
        loss, log_vars = self.parse_losses(losses)
        wrapper.update_params(loss)
        return log_vars
