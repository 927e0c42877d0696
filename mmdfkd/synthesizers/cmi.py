from typing import List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.registry import MODELS
from .inversion import InversionSynthesizer, bn_layers


class InstanceMeans:
    """Per-sample spatial means of the inputs of a model's BN layers (CMI's
    ``InstanceMeanHook``), concatenated: (N, sum_l C_l)."""

    def __init__(self, layers: List[nn.Module]):
        self.layers = layers
        self.means: List[torch.Tensor] = []

    def __enter__(self) -> 'InstanceMeans':
        self._handles = [
            m.register_forward_pre_hook(
                lambda m, i: self.means.append(i[0].float().mean((2, 3))))
            for m in self.layers]
        return self

    def __exit__(self, *exc) -> None:
        for h in self._handles:
            h.remove()

    def feature(self) -> torch.Tensor:
        return torch.cat(self.means, dim=1)


class ProjectionHead(nn.Module):
    """CMI's ``MLPHead``: Linear - ReLU - Linear, L2-normalised output."""

    def __init__(self, dim_in: int, dim_out: int):
        super().__init__()
        self.fc1 = nn.Linear(dim_in, dim_in)
        self.fc2 = nn.Linear(dim_in, dim_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.fc2(F.relu(self.fc1(x))), dim=1)


@MODELS.register_module()
class CMISynthesizer(InversionSynthesizer):
    r"""CMI: a generator re-initialised every round, made diverse by a
    contrastive loss against a memory bank of earlier rounds' features.

    `Contrastive Model Inversion for Data-Free Knowledge Distillation
    <https://arxiv.org/abs/2105.08584>`_ (Fang et al., IJCAI 2021), faithful
    to zju-vipa/CMI ``datafree/synthesis/contrastive.py``. One round:

    .. code-block:: none

        re-draw G (weights N(0, .02), BN weights N(1, .02)); z ~ N(0, I)
        learnable; y ~ U{0..K-1}; Adam([G, z], lr_g, betas (0.5, 0.999))
        for it in 1..iterations:
            x = G(z); g = crop4(flip(x)); l = resized_crop(flip(x))  # views
            L_inv = bn * L_BN(T; g) + oh * CE(T(g), y) + adv * L_adv(S, T)
            f_g, f_l = instance means of T's BN inputs on g, l     # (N, d)
            (b_l, b_g) = n_neg samples of the memory bank           # (N', d)
            u, v = head([f_l, b_l]), head([f_g, b_g])
            L = L_inv + cr * L_cr(u, v)         # CMIContrastiveLoss
            keep (x, [f_l, f_g]) if L is the lowest so far
            G, z, head <- Adam steps
        bank <- the kept features

    The projection head and its optimizer (Adam, ``lr_g``) persist across
    rounds (the head's gradients averaged over ranks under DDP, so it stays
    identical); the memory bank is a per-rank ring buffer, checkpointed as
    the rank's shard. The head's input size is the sum of the teacher's BN
    widths, read from the teacher when the algorithm is built
    (:meth:`prepare`).

    Args:
        generator (dict): :class:`~mmdfkd.generators.InversionGenerator`.
        lr_g (float): Adam learning rate of generator, z and head.
            Defaults to 1e-3.
        loss_cr (dict, optional): :class:`~mmdfkd.losses.CMIContrastiveLoss`
            (``cr``, ``cr_T``); None drops the term and the bank.
        head_dim (int): Projection size. Defaults to 256.
        bank_size (int): Memory bank entries per rank. Defaults to 40960.
        num_negatives (int): Bank samples per step (``n_neg``). Defaults to
            4096.
        global_view (list[dict], optional): Defaults to crop (padding 4) +
            flip.
        local_view (list[dict], optional): Defaults to ``BatchRandomResized
            Crop(scale=(0.25, 1))`` + flip.
        **kwargs: :class:`InversionSynthesizer`.
    """

    def __init__(self,
                 generator: dict,
                 lr_g: float = 1e-3,
                 loss_cr: Optional[dict] = None,
                 head_dim: int = 256,
                 bank_size: int = 40960,
                 num_negatives: int = 4096,
                 global_view: Optional[List[dict]] = None,
                 local_view: Optional[List[dict]] = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.generator = MODELS.build(generator)
        self._check_generator(self.generator)
        self.lr_g = lr_g
        self.loss_cr = self._build(loss_cr)
        self.head_dim = head_dim
        self.bank_size = bank_size
        self.num_negatives = num_negatives
        self.global_view = self._build_transforms(
            global_view if global_view is not None else [
                dict(type='BatchRandomCrop', padding=4),
                dict(type='BatchRandomFlip')])
        self.local_view = self._build_transforms(
            local_view if local_view is not None else [
                dict(type='BatchRandomResizedCrop', scale=(0.25, 1.0)),
                dict(type='BatchRandomFlip')])
        self.head: Optional[ProjectionHead] = None
        self._bank: Optional[torch.Tensor] = None
        self._bank_added = 0

    def prepare(self, teacher: nn.Module) -> None:
        super().prepare(teacher)
        if self.loss_cr is None or self.head is not None:
            return
        dim = sum(m.num_features for m in bn_layers(teacher))
        self.head = ProjectionHead(dim, self.head_dim).to(self.mean.device)
        self.register_optimizer(
            'head', torch.optim.Adam(self.head.parameters(), self.lr_g))

    def synthesize(self, teacher: nn.Module,
                   student: Optional[nn.Module] = None,
                   adversarial: bool = True) -> dict:
        device = self.mean.device
        targets = self.draw_targets(self.batch_size, device)
        self.redraw(self.generator)
        z = self.randn(self.batch_size, self.generator.latent_dim,
                       device=device).requires_grad_()
        optimizer = torch.optim.Adam(
            [dict(params=self.generator.parameters()), dict(params=[z])],
            self.lr_g, betas=(0.5, 0.999))
        layers = bn_layers(teacher)
        best = None
        for _ in range(self.iterations):
            raw = self.generator(z)                         # (N, C, H, W)
            g = self.normalize(self._view(raw, self.global_view))
            with InstanceMeans(layers) as f_g:
                losses, _ = self.inversion_losses(g, targets, teacher,
                                                  student, adversarial)
            feats = None
            if self.loss_cr is not None:
                l_view = self.normalize(self._view(raw, self.local_view))
                with InstanceMeans(layers) as f_l:
                    teacher(l_view)
                feats = torch.cat([f_l.feature(), f_g.feature()], dim=1)
                losses['loss_cr'] = self.contrastive(f_l.feature(),
                                                     f_g.feature())
            loss = sum(losses.values())
            best = self.keep_best(loss, self.normalize(raw), best, feats)
            optimizer.zero_grad()
            if self.head is not None:
                self.head.zero_grad()
            loss.backward()
            optimizer.step()
            if self.head is not None:
                self.average_grads_over_ranks(self.head.parameters())
                self._optimizers['head'].step()
        if best[2] is not None:
            self._bank_add(best[2])
        log = {k: v.detach() for k, v in losses.items()}
        log.update(loss=loss.detach(), best_loss=best[0])
        return dict(images=best[1], labels=targets, log=log)

    def _view(self, images: torch.Tensor, transforms: list) -> torch.Tensor:
        for t in transforms:
            images = t(images, self.rng)
        return images

    def contrastive(self, local: torch.Tensor,
                    global_: torch.Tensor) -> torch.Tensor:
        """:math:`\\mathcal{L}_{cr}` of the current features (N, d) and
        ``num_negatives`` bank samples."""
        n = local.size(0)
        if self._bank_added:
            size = min(self._bank_added, self.bank_size)
            index = torch.randperm(size, generator=self.rng)[
                :self.num_negatives].to(local.device)
            cached_l, cached_g = self._bank[index].chunk(2, dim=1)
            local = torch.cat([local, cached_l])
            global_ = torch.cat([global_, cached_g])
        proj = self.head(torch.cat([local, global_]))
        u, v = proj.chunk(2, dim=0)
        return self.loss_cr(u, v, num_current=n)

    # -- the generator re-drawn from the synthesizer's RNG -------------------
    @torch.no_grad()
    def redraw(self, generator: nn.Module, std: float = 0.02) -> None:
        """CMI's ``reset_model``: conv / linear weights N(0, 0.02), biases
        0, BN weights N(1, 0.02), BN biases 0 (running statistics kept, as
        there), drawn from the synthesizer's generator."""
        for m in generator.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                m.weight.copy_(torch.randn(m.weight.shape,
                                           generator=self.rng) * std)
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(1 + torch.randn(m.weight.shape,
                                               generator=self.rng) * std)
                m.bias.zero_()

    # -- memory bank (per rank) -------------------------------------------
    @torch.no_grad()
    def _bank_add(self, feats: torch.Tensor) -> None:
        if self._bank is None:
            self._bank = feats.new_zeros(self.bank_size, feats.size(1))
        n = min(feats.size(0), self.bank_size)
        slots = (torch.arange(n) + self._bank_added) % self.bank_size
        self._bank[slots.to(feats.device)] = feats[-n:]
        self._bank_added += n

    def _shard_state(self) -> dict:
        state = super()._shard_state()
        size = min(self._bank_added, self.bank_size)
        state['bank'] = dict(
            added=self._bank_added,
            data=None if self._bank is None else self._bank[:size].cpu())
        return state

    def _load_shard(self, shard: dict) -> None:
        super()._load_shard(shard)
        bank = shard.get('bank')
        if bank is None:
            return
        self._bank_added = bank['added']
        self._bank = None
        if bank['data'] is not None:
            data = bank['data'].to(self.mean.device)
            self._bank = data.new_zeros(self.bank_size, data.size(1))
            self._bank[:data.size(0)] = data

    @torch.no_grad()
    def sample(self, num: int, labels=None, rng=None) -> torch.Tensor:
        """Images of the last round's generator (re-drawn each round; its
        images are in the pool)."""
        z = torch.randn(num, self.generator.latent_dim, generator=rng)
        return self.normalize(self.generator(z.to(self.mean.device)))
