import math
import os.path as osp
from typing import List, Optional

import numpy as np
import torch
import torch.nn as nn
from mmengine.dist import broadcast, get_world_size

from mmdfkd.registry import MODELS
from mmdfkd.utils import DFKDInputError, sampling_mode
from .inversion import InversionSynthesizer


def default_label_embeddings(num_classes: int, dim: int = 512,
                             seed: int = 0) -> torch.Tensor:
    """The offline stand-in for CLIP label-text embeddings: ``num_classes``
    fixed random unit vectors in ``dim`` dimensions, drawn from ``seed``;
    orthonormal where ``num_classes <= dim`` (every pair of classes equally
    far apart, as no text encoder is needed to say which are alike).

    Returns:
        Tensor: ``(num_classes, dim)``, float32.
    """
    rng = torch.Generator().manual_seed(seed)
    a = torch.randn(dim, num_classes, generator=rng, dtype=torch.float64)
    if num_classes <= dim:
        q, r = torch.linalg.qr(a)            # (dim, K), columns orthonormal
        rows = (q * torch.sign(torch.diagonal(r))).T  # sign-fixed, unique
    else:
        rows = nn.functional.normalize(a.T, dim=1)
    return rows.float().contiguous()


def load_label_embeddings(path: str, num_classes: int) -> torch.Tensor:
    """A user's ``(num_classes, D)`` label embeddings from a ``.pt`` /
    ``.pth`` tensor (loaded with ``weights_only=True``) or a ``.npy`` array
    (``tools/nayer_embeddings.py`` writes the former).

    Raises:
        DFKDInputError: a missing file, another format, a wrong shape or
            non-finite values.
    """
    fix = ('Fix: write one with tools/nayer_embeddings.py, or '
           'embeddings=None for the built-in random embeddings.')
    if not osp.isfile(path):
        raise DFKDInputError(f'NAYER embeddings file {path} not found. {fix}')
    if path.endswith('.npy'):
        emb = torch.from_numpy(np.load(path, allow_pickle=False))
    else:
        emb = torch.load(path, map_location='cpu', weights_only=True)
    if not torch.is_tensor(emb) or emb.dim() != 2 or \
            emb.shape[0] != num_classes:
        shape = tuple(emb.shape) if hasattr(emb, 'shape') else type(emb)
        raise DFKDInputError(
            f'NAYER embeddings in {path} must be a (num_classes={num_classes}'
            f', D) tensor, got {shape}. {fix}')
    emb = emb.float()
    if not torch.isfinite(emb).all():
        raise DFKDInputError(
            f'NAYER embeddings in {path} hold NaN or inf values. {fix}')
    return emb


class NoisyLayerGenerator(nn.Module):
    r"""NAYER's generator (``NLGenerator``): label embeddings through
    BatchNorm1d, one *noisy layer* per group of ``group_size`` samples, then
    a B3 body taking the noisy layers' output as its code.

    .. code-block:: none

        e = BN1d(D)(LTE[y]);  v_g = Linear_g(D -> noisy_dim)(e[g-th group])
        x = body(cat_g v_g)          # InversionGenerator(in_features=noisy)

    Args:
        body (dict): The B3 body, :class:`~mmdfkd.generators.
            InversionGenerator` with ``in_features=noisy_dim``; built
            after the noisy layers (the official order of parameters).
        embed_dim (int): D.
        noisy_dim (int): Output of a noisy layer (``le_emb_size``, 1000).
        num_layers (int): Noisy layers, ``ceil(batch / group_size)``.
        group_size (int): Samples per noisy layer (``nl``, the classes).
    """

    def __init__(self, body: dict, embed_dim: int, noisy_dim: int,
                 num_layers: int, group_size: int):
        super().__init__()
        self.group_size = group_size
        self.embed_bn = nn.BatchNorm1d(embed_dim)
        self.noisy = nn.ModuleList(
            nn.Linear(embed_dim, noisy_dim) for _ in range(num_layers))
        self.body = MODELS.build(body)

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        """Embeddings (N, D) of the targets -> images (N, C, S, S) in [0, 1];
        group ``g`` (samples ``g*K .. (g+1)*K - 1``) through noisy layer
        ``g`` (cyclically beyond the last)."""
        e = self.embed_bn(embeddings)
        groups = e.split(self.group_size)
        codes = torch.cat([self.noisy[g % len(self.noisy)](chunk)
                           for g, chunk in enumerate(groups)])
        return self.body(codes)

    @torch.no_grad()
    def reset_noisy_layers(self, rng: torch.Generator) -> None:
        """``re_init_le``: weights :math:`\\mathcal{N}(0, 1)` from ``rng``,
        biases 0."""
        for layer in self.noisy:
            layer.weight.copy_(torch.randn(layer.weight.shape, generator=rng))
            layer.bias.zero_()


@MODELS.register_module()
class NAYERSynthesizer(InversionSynthesizer):
    r"""NAYER: a generator fed label-text embeddings through re-initialised
    noisy layers.

    `NAYER: Noisy Layer Data Generation for Efficient and Effective
    Data-free Knowledge Distillation <https://arxiv.org/abs/2310.00258>`_
    (Tran et al., CVPR 2024), faithful to tmtuan1307/NAYER
    (``datafree/synthesis/nayer.py``, ``NLGenerator``). One round is one of
    the official *loops* (``g_loops`` = 2 per epoch, ``gwp_loops`` = 10
    per warm-up epoch: ``PoolKD.rounds_per_synthesis`` and the warm-up
    length):

    .. code-block:: none

        every g_life rounds (warmup_g_life while warming up) and at the
        first adversarial round: the generator re-created (fresh init)
        noisy layers <- N(0, 1), bias 0
        y = [0..K-1] * floor(N/K) + U{0..K-1} fill   # balanced targets
        Adam(generator: lr_g, betas (0.5, 0.999))    # new every round
        for it in 1..g_steps:
            x = G(BN1d(LTE[y])); v = normalise(flip(crop4(x)))
            L = l_bn * L_BN^mmt(T; v) + l_oh * CE(T(v), y)
                + l_adv * L_adv(S(v), T(v))     # after the warm-up rounds
            keep x if L is the lowest so far
            G <- Adam step
        fold v's BN statistics into L_BN's moving average (bn_mmt)

    What persists across rounds: the generator (BN1d, noisy layers, body;
    parameters and running statistics, in the state dict) and the rounds
    since its last re-creation (buffers); the BN loss's moving average and
    the random generator (rank shards). The optimizer is made afresh each
    round, as in the official code, so none is registered. Re-creation
    draws a seed from the synthesizer's generator and builds a new
    generator under it (PyTorch's default initialisation, as the official
    ``reinit``), copied into the existing modules.

    Differences from the official code: the official ``g_life`` counts
    epochs (so the re-creation lattice is ``g_life * g_loops`` rounds, and
    ``g_life * gwp_loops`` during the warm-up: set ``g_life`` and
    ``warmup_g_life`` accordingly); it also re-creates on the lattice of
    the warm-up's start when the warm-up is not a multiple of ``g_life``
    (the official scripts: 20 and 10, where both coincide). The official
    best-loss threshold is carried over from one loop of an epoch to the
    next; here each round keeps its own best batch. Under DDP each rank
    draws its own targets; the generator's gradients are averaged over
    ranks every step (the official DDP wrapper) and its re-creation and
    noisy layers are rank 0's, so it stays identical everywhere.

    Args:
        generator (dict): The B3 body,
            :class:`~mmdfkd.generators.InversionGenerator`; its
            ``in_features`` is set to ``noisy_dim``.
        embeddings (str, optional): Path of a ``(num_classes, D)`` file of
            label-text embeddings (``.pt`` tensor or ``.npy``; see
            ``tools/nayer_embeddings.py``, CLIP ViT-B/32 of "a image of
            {class}" in the paper). Defaults to None: fixed random
            orthonormal embeddings (:func:`default_label_embeddings`,
            ``embed_dim``, seed 0), no text encoder needed.
        embed_dim (int): D of the default embeddings. Defaults to 512.
        noisy_dim (int): Output of each noisy layer (``le_emb_size``).
            Defaults to 1000.
        lr_g (float): Adam learning rate. Defaults to 4e-3.
        g_life (int): Rounds between re-creations of the generator.
            Defaults to 20 (10 epochs of 2 loops).
        warmup_g_life (int, optional): The same while warming up
            (non-adversarial rounds). Defaults to None (``g_life``).
        view (list[dict], optional): Batched transforms of the view, on
            [0, 1] images. Defaults to ``BatchRandomCrop(padding=4)`` +
            ``BatchRandomFlip`` (kornia's, zero-padded).
        **kwargs: :class:`InversionSynthesizer` (``num_classes``,
            ``batch_size``, ``image_size``, ``iterations`` = g_steps,
            ``loss_bn`` with ``momentum=0.9``, ``loss_oh``, ``loss_adv``,
            ``seed``).
    """

    def __init__(self,
                 generator: dict,
                 embeddings: Optional[str] = None,
                 embed_dim: int = 512,
                 noisy_dim: int = 1000,
                 lr_g: float = 4e-3,
                 g_life: int = 20,
                 warmup_g_life: Optional[int] = None,
                 view: Optional[List[dict]] = None,
                 **kwargs):
        super().__init__(**kwargs)
        if g_life < 1 or (warmup_g_life is not None and warmup_g_life < 1):
            raise DFKDInputError(
                f'NAYERSynthesizer needs g_life >= 1 and warmup_g_life >= 1,'
                f' got {g_life} and {warmup_g_life}.')
        emb = default_label_embeddings(self.num_classes, embed_dim) \
            if embeddings is None else \
            load_label_embeddings(embeddings, self.num_classes)
        self.register_buffer('embeddings', emb)      # (K, D), not trained
        self.generator_cfg = dict(generator, in_features=noisy_dim)
        self.noisy_dim = noisy_dim
        self.num_noisy = math.ceil(self.batch_size / self.num_classes)
        self.generator = self._new_generator()
        body = self.generator.body
        out = (body.out_channels, body.img_size, body.img_size)
        if out != self.image_size:
            raise DFKDInputError(
                f'the generator makes {out} images, the teacher takes '
                f'{self.image_size}. Fix: generator img_size / out_channels '
                'to match image_size.')
        self.lr_g = lr_g
        self.g_life = g_life
        self.warmup_g_life = warmup_g_life or g_life
        self.view = self._build_transforms(view if view is not None else [
            dict(type='BatchRandomCrop', padding=4),
            dict(type='BatchRandomFlip')])
        # rounds since the generator was re-created (0: not yet), and
        # whether the last round was adversarial
        self.register_buffer('life', torch.zeros((), dtype=torch.long))
        self.register_buffer('was_adversarial', torch.zeros((),
                                                            dtype=torch.bool))

    def _new_generator(self) -> NoisyLayerGenerator:
        return NoisyLayerGenerator(
            self.generator_cfg, self.embeddings.shape[1],
            self.noisy_dim, self.num_noisy, self.num_classes)

    def draw_targets(self, num: int, device=None,
                     rng: Optional[torch.Generator] = None) -> torch.Tensor:
        """Every class ``num // K`` times (``0..K-1`` repeated), then
        ``num % K`` uniform classes (the official ``generate_ys``)."""
        k = self.num_classes
        fill = torch.randint(k, (num % k, ),
                             generator=self.rng if rng is None else rng)
        return torch.cat([torch.arange(k).repeat(num // k), fill]).to(device)

    @torch.no_grad()
    def recreate_generator(self) -> None:
        """``reinit``: a new generator (default initialisation) built under
        a seed drawn from the synthesizer's generator; rank 0's."""
        seed = int(self.randint(2**31 - 1, ()))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            fresh = self._new_generator()
        self.generator.load_state_dict(fresh.state_dict())
        self._broadcast()

    def synthesize(self, teacher: nn.Module,
                   student: Optional[nn.Module] = None,
                   adversarial: bool = True) -> dict:
        self._check_bn_teacher(teacher)
        life = self.g_life if adversarial else self.warmup_g_life
        started = adversarial and not bool(self.was_adversarial)
        if int(self.life) == 0 or int(self.life) >= life or started:
            self.recreate_generator()
            self.life.zero_()
        self.life += 1
        self.was_adversarial.fill_(adversarial)
        self.generator.reset_noisy_layers(self.rng)
        self._broadcast()
        device = self.mean.device
        targets = self.draw_targets(self.batch_size, device)
        params = list(self.generator.parameters())
        optimizer = torch.optim.Adam(params, lr=self.lr_g,
                                     betas=(0.5, 0.999))
        best = None
        for _ in range(self.iterations):
            images = self.generator(self.embeddings[targets])  # [0, 1]
            view = images
            for transform in self.view:
                view = transform(view, self.rng)
            losses, rec = self.inversion_losses(self.normalize(view),
                                                targets, teacher, student,
                                                adversarial)
            loss = sum(losses.values())
            best = self.keep_best(loss, images, best)
            optimizer.zero_grad()
            loss.backward()
            self.average_grads_over_ranks(params)
            optimizer.step()
        if self.loss_bn is not None and self.loss_bn.momentum > 0:
            self.loss_bn.update_ema(rec.means, rec.vars)
        log = {k: v.detach() for k, v in losses.items()}
        log.update(loss=loss.detach(), best_loss=best[0])
        return dict(images=self.normalize(best[1]), labels=targets, log=log)

    def _broadcast(self) -> None:
        if get_world_size() > 1:
            for t in self.generator.state_dict().values():
                broadcast(t, 0)

    @torch.no_grad()
    def sample(self, num: int, labels=None, rng=None) -> torch.Tensor:
        """Images of the current generator (its BN in the current mode);
        ``labels`` None draws balanced ones."""
        if labels is None:
            labels = self.draw_targets(
                num, rng=torch.default_generator if rng is None else rng)
        labels = labels.to(self.embeddings.device)
        with sampling_mode(self.generator, self.generator.training):
            return self.normalize(self.generator(self.embeddings[labels]))
