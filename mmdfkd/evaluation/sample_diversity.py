"""How diverse a trained generator's samples are, as the teacher sees them."""
import math
from typing import Callable, Dict, List, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmdfkd.utils import sampling_mode


def _batch_sizes(num_samples: int, batch_size: int) -> List[int]:
    """Split ``num_samples`` into nearly equal batches of at most
    ``batch_size`` (no tiny last batch for train-mode BN)."""
    num_batches = math.ceil(num_samples / batch_size)
    return [
        num_samples // num_batches + (i < num_samples % num_batches)
        for i in range(num_batches)
    ]


def _mean_pairwise_distance(samples: torch.Tensor,
                            chunk: int = 256) -> float:
    """Exact mean L2 distance over the distinct pairs of the rows of
    ``samples`` (M, D), in float64 and in chunks of rows."""
    m = samples.size(0)
    if m < 2:
        return 0.0
    x = samples.double()
    x = x - x.mean(dim=0)  # centred: less round-off, exact 0 for copies
    total = x.new_zeros(())
    for start in range(0, m, chunk):
        d = torch.cdist(x[start:start + chunk], x)           # (c, M)
        d.diagonal(offset=start).zero_()  # a sample and itself: exactly 0
        total += d.sum()
    return (total / (m * (m - 1))).item()  # every pair counted twice


@torch.no_grad()
def sample_diversity(generator: nn.Module,
                     teacher: Union[nn.Module, Callable[[torch.Tensor],
                                                        torch.Tensor]],
                     num_samples: int,
                     latent_dim: int,
                     batch_size: int = 256,
                     generator_mode: str = 'eval',
                     seed: int = 0,
                     device: Union[str, torch.device] = 'cpu',
                     max_pairwise_samples: int = 2000) -> Dict:
    r"""Class balance and spread of ``num_samples`` generated images.

    Mode collapse shows as a peaked teacher class histogram (low entropy, a
    large ``max_class_fraction``) or as samples that lie close together (a
    small ``mean_pairwise_distance``). With the teacher's arg-max
    histogram :math:`h` over :math:`K` classes and :math:`p = h / N`:

    .. math::
        H = -\sum_k p_k \ln p_k \le \ln K, \qquad
        \bar d = \frac{2}{M(M-1)} \sum_{i<j} \lVert x_i - x_j \rVert_2

    with :math:`x_i` the flattened images as the generator outputs them
    (the teacher's normalised input space). :math:`\bar d` is exact over
    all distinct pairs of the :math:`M = \min(N, \text{max\_pairwise\_
    samples})` images; when :math:`N` is larger, the :math:`M` images are a
    subset drawn with ``seed`` (the histogram always counts all :math:`N`).

    Codes are :math:`z \sim \mathcal{N}(0, I)` from a generator seeded with
    ``seed``, so two calls with the same arguments agree. The generator's
    mode (and, in ``'train'`` mode, its BN running statistics) and the
    teacher's mode are restored afterwards; nothing gets a gradient.

    Args:
        generator (nn.Module): Maps codes (B, latent_dim) to images.
        teacher (nn.Module | Callable): Maps images to logits (B, K); an
            ``nn.Module`` is run in eval mode.
        num_samples (int): Number of images N (at least 2).
        latent_dim (int): Size of the codes.
        batch_size (int): Largest batch. In ``'train'`` mode the BN layers
            use the statistics of each batch, so this matters (use the
            training batch size). Defaults to 256.
        generator_mode (str): ``'eval'`` (BN running statistics, as a
            frozen generator is sampled, e.g. RDSKD's stage 3) or
            ``'train'`` (batch statistics, as DAFL's student sees it).
            Defaults to 'eval'.
        seed (int): Seed of the codes and of the distance subset.
            Defaults to 0.
        device (str | torch.device): Where to run. Defaults to 'cpu'.
        max_pairwise_samples (int): Most images used for the pairwise
            distance (its cost grows with their square). Defaults to 2000.

    Returns:
        dict: ``class_hist`` (list of K counts), ``class_entropy`` (nats),
        ``class_entropy_max`` (:math:`\ln K`), ``max_class_fraction``,
        ``mean_pairwise_distance``, ``mean_teacher_confidence`` (mean
        largest softmax probability), and ``num_samples``,
        ``pairwise_samples`` (M), ``generator_mode``, ``seed``.
    """
    if generator_mode not in ('eval', 'train'):
        raise ValueError(
            f"generator_mode must be 'eval' or 'train', got {generator_mode}")
    if num_samples < 2:
        raise ValueError(f'num_samples must be at least 2, got {num_samples}')
    sizes = _batch_sizes(num_samples, batch_size)
    if generator_mode == 'train' and min(sizes) < 2:
        raise ValueError('train-mode BN needs batches of at least 2 images; '
                         f'got batch_size={batch_size}')
    rng = torch.Generator().manual_seed(seed)
    order = torch.randperm(num_samples, generator=rng)
    keep = torch.zeros(num_samples, dtype=torch.bool)  # distance subset
    keep[order[:max_pairwise_samples]] = True

    teacher_training = getattr(teacher, 'training', None)
    if isinstance(teacher, nn.Module):
        teacher.eval()
    hist, confidence, kept, start = None, 0.0, [], 0
    try:
        with sampling_mode(generator, generator_mode == 'train'):
            for size in sizes:
                z = torch.randn(size, latent_dim, generator=rng).to(device)
                images = generator(z).float()               # (B, C, H, W)
                probs = F.softmax(teacher(images).float(), dim=1)  # (B, K)
                conf, labels = probs.max(dim=1)             # (B, ), (B, )
                counts = torch.bincount(labels.cpu(),
                                        minlength=probs.size(1))
                hist = counts if hist is None else hist + counts
                confidence += conf.sum().item()
                mask = keep[start:start + size]
                kept.append(images.flatten(1)[mask.to(images.device)].cpu())
                start += size
    finally:
        if teacher_training is not None:
            teacher.train(teacher_training)
    p = hist.double() / num_samples                          # (K, )
    nonzero = p[p > 0]
    return dict(
        class_hist=hist.tolist(),
        class_entropy=-(nonzero * nonzero.log()).sum().item(),
        class_entropy_max=math.log(hist.numel()),
        max_class_fraction=p.max().item(),
        mean_pairwise_distance=_mean_pairwise_distance(torch.cat(kept)),
        mean_teacher_confidence=confidence / num_samples,
        num_samples=num_samples,
        pairwise_samples=int(keep.sum()),
        generator_mode=generator_mode,
        seed=seed)
