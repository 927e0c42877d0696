"""Batched image augmentations as tensor ops on the images' device.

The inversion methods train the student on synthetic images with the
real-data training transform (CMI / Fast: ``RandomCrop(32, padding=4)`` +
``RandomHorizontalFlip``). The official code writes PNGs and reads them
back through PIL transforms one image at a time; here the same transforms
run on the whole batch at once, where the pool keeps it (GPU or CPU), with
random numbers from a given ``torch.Generator`` (so a resumed run draws the
same crops).
"""
import math
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F

from mmdfkd.registry import TRANSFORMS


def _draw(rng: Optional[torch.Generator], high: int, size: int,
          device: torch.device) -> torch.Tensor:
    return torch.randint(high, (size, ), generator=rng).to(device)


@TRANSFORMS.register_module()
class BatchRandomCrop:
    """Pad every image by ``padding`` pixels, then crop it back to its size
    at a random offset of its own (torchvision's ``RandomCrop(size,
    padding)``, batched).

    Args:
        padding (int): Pixels added on each side. Defaults to 4.
        fill (float | Sequence[float]): Value of the padded pixels, per
            channel, in the images' (normalised) space; e.g. ``-mean/std``
            for black, as the PIL transform pads before normalising.
            Defaults to 0.
    """

    def __init__(self, padding: int = 4,
                 fill: Union[float, Sequence[float]] = 0.0):
        self.padding = padding
        self.fill = fill

    def __call__(self, images: torch.Tensor,
                 rng: Optional[torch.Generator] = None) -> torch.Tensor:
        n, c, h, w = images.shape
        p = self.padding
        fill = torch.as_tensor(self.fill, dtype=images.dtype,
                               device=images.device).reshape(-1, 1, 1)
        padded = fill.expand(c, h + 2 * p, w + 2 * p).repeat(n, 1, 1, 1)
        padded[:, :, p:p + h, p:p + w] = images
        dy = _draw(rng, 2 * p + 1, n, images.device)
        dx = _draw(rng, 2 * p + 1, n, images.device)
        rows = dy[:, None] + torch.arange(h, device=images.device)  # (N, H)
        cols = dx[:, None] + torch.arange(w, device=images.device)  # (N, W)
        batch = torch.arange(n, device=images.device)[:, None, None]
        out = padded.permute(0, 2, 3, 1)[batch, rows[:, :, None],
                                         cols[:, None, :]]  # (N, H, W, C)
        return out.permute(0, 3, 1, 2).contiguous(
            memory_format=torch.channels_last if images.is_contiguous(
                memory_format=torch.channels_last) else
            torch.contiguous_format)


@TRANSFORMS.register_module()
class BatchRandomFlip:
    """Flip each image horizontally with probability ``prob``.

    Args:
        prob (float): Flip probability. Defaults to 0.5.
    """

    def __init__(self, prob: float = 0.5):
        self.prob = prob

    def __call__(self, images: torch.Tensor,
                 rng: Optional[torch.Generator] = None) -> torch.Tensor:
        flip = (torch.rand(images.size(0), generator=rng) < self.prob).to(
            images.device)
        return torch.where(flip[:, None, None, None], images.flip(3), images)


@TRANSFORMS.register_module()
class BatchRandomResizedCrop:
    """Crop a random area of each image and resize it back to the image
    size (torchvision's / kornia's ``RandomResizedCrop(size, scale,
    ratio)``, batched, bilinear): CMI's local view.

    Each image gets an area fraction in ``scale`` and a log-uniform aspect
    ratio in ``ratio``; boxes that do not fit are shrunk to fit (instead of
    torchvision's ten retries and centre-crop fallback).

    Args:
        scale (Sequence[float]): Range of the cropped area fraction.
            Defaults to ``(0.25, 1.0)`` (CMI).
        ratio (Sequence[float]): Range of the aspect ratio. Defaults to
            ``(3/4, 4/3)``.
    """

    def __init__(self, scale: Sequence[float] = (0.25, 1.0),
                 ratio: Sequence[float] = (3. / 4., 4. / 3.)):
        self.scale = tuple(scale)
        self.ratio = tuple(ratio)

    def boxes(self, n: int, rng: Optional[torch.Generator] = None
              ) -> Tuple[torch.Tensor, ...]:
        """Box widths, heights (fractions of the image) and centres
        (in [-1, 1]), each (N, )."""
        u = torch.rand(4, n, generator=rng)
        area = self.scale[0] + u[0] * (self.scale[1] - self.scale[0])
        log_r = math.log(self.ratio[0]) + u[1] * (
            math.log(self.ratio[1]) - math.log(self.ratio[0]))
        r = log_r.exp()
        w = (area * r).sqrt().clamp(max=1.)
        h = (area / r).sqrt().clamp(max=1.)
        cx = (2 * u[2] - 1) * (1 - w)
        cy = (2 * u[3] - 1) * (1 - h)
        return w, h, cx, cy

    def __call__(self, images: torch.Tensor,
                 rng: Optional[torch.Generator] = None) -> torch.Tensor:
        n = images.size(0)
        w, h, cx, cy = (t.to(images.device, images.dtype)
                        for t in self.boxes(n, rng))
        theta = torch.zeros(n, 2, 3, device=images.device, dtype=images.dtype)
        theta[:, 0, 0], theta[:, 0, 2] = w, cx
        theta[:, 1, 1], theta[:, 1, 2] = h, cy
        grid = F.affine_grid(theta, list(images.shape), align_corners=False)
        return F.grid_sample(images, grid, mode='bilinear',
                             padding_mode='border', align_corners=False)
