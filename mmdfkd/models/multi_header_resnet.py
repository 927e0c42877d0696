from typing import List, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.models.backbones import ResNet, ResNet_CIFAR

from mmdfkd.registry import MODELS
from .sep_conv import SepConv


@MODELS.register_module()
class MultiHeaderResNet(BaseModule):
    r"""Multi-header ResNet student with multi-level feature sharing.

    The student of `CDFKD-MFS <https://arxiv.org/abs/2205.11845>`_ (Hao et
    al., IEEE TMM 2022; code ``nets/mhresnet8x.py`` for 32 px and
    ``nets/mhresnet.py`` for 128/224 px). A shared ResNet trunk (mmpretrain's
    ``ResNet_CIFAR`` for ``stem='cifar'``: 3x3 stride-1 stem, no max-pool;
    ``ResNet`` for ``stem='imagenet'``: 7x7 stride-2 stem and max-pool, no
    classifier) gives the stage outputs :math:`u_1..u_4` with widths
    :math:`c_1..c_4` (64, 128, 256, 512 for ResNet-18/34). Each header
    :math:`i` has its own chain of stride-2 :class:`SepConv` blocks that
    reads every stage:

    .. math::
        a_1^i = \mathrm{Sep}(c_1 \to c_2)(u_1), \quad
        a_k^i = \mathrm{Sep}(2c_k \to c_{k+1})([u_k, a_{k-1}^i])
        \ (k = 2, 3), \quad
        a_4^i = \mathrm{Sep}(2c_4 \to c_4)([u_4, a_3^i]),

    then :math:`f_i = \mathrm{GAP}(a_4^i)`, a :math:`c_4`-d vector
    (:math:`[\cdot,\cdot]` is channel concatenation). For ResNet-18 the
    blocks are 64->128, 256->256, 512->512, 1024->512. At 32 px,
    :math:`u_1..u_4` are 32, 16, 8, 4 px and :math:`a_1..a_4` 16, 8, 4, 2 px;
    at 128 px (Caltech-101) the same sizes; at 224 px (mini-ImageNet)
    :math:`u` are 56, 28, 14, 7 px and :math:`a` 28, 14, 7, 4 px.

    Parameters (depth 18; counted by our tests), against the method notes'
    hand count of the official code (trunk 11.17 M, header 2.33 M, total
    18.2 M for :math:`K = 100`):

    - trunk: 11,168,832 (``cifar``) / 11,176,512 (``imagenet``);
    - each branch: 2,280,448, i.e. 2,331,748 with its ``Linear(512, 100)``;
    - 3 headers, :math:`K = 100`: 18,164,076 (``cifar``) and
      18,171,756 (``imagenet``) in :class:`MultiHeaderClassifier` (plus 101
      parameters of its attention layer).

    The logits are not computed here: :class:`MultiHeaderClassifier` puts
    one linear layer on each :math:`f_i`.

    Args:
        depth (int): Depth of the trunk ResNet (18, 34, 50, ...; the paper
            uses 18). Defaults to 18.
        num_heads (int): Number of headers :math:`N` (one per teacher).
            Defaults to 3.
        stem (str): ``'cifar'`` (32 px) or ``'imagenet'`` (128/224 px).
            Defaults to ``'cifar'``.
        in_channels (int): Number of input image channels. Defaults to 3.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None: the trunk keeps mmpretrain's ResNet
            initialisation and the branches PyTorch's default.

    Example:
        >>> import torch
        >>> from mmdfkd.models import MultiHeaderResNet
        >>> model = MultiHeaderResNet(depth=18, num_heads=3)
        >>> feats = model(torch.rand(2, 3, 32, 32))
        >>> len(feats), feats[0].shape
        (3, torch.Size([2, 512]))
    """

    def __init__(self,
                 depth: int = 18,
                 num_heads: int = 3,
                 stem: str = 'cifar',
                 in_channels: int = 3,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if stem not in ('cifar', 'imagenet'):
            raise ValueError(
                f"stem must be 'cifar' or 'imagenet', got {stem!r}.")
        if num_heads < 1:
            raise ValueError(f'num_heads must be >= 1, got {num_heads}.')
        trunk_type = ResNet_CIFAR if stem == 'cifar' else ResNet
        self.trunk = trunk_type(
            depth=depth, in_channels=in_channels, out_indices=(0, 1, 2, 3))
        expansion = self.trunk.expansion
        widths = [64 * 2**i * expansion for i in range(4)]  # c_1..c_4
        self.depth = depth
        self.stem = stem
        self.num_heads = num_heads
        self.out_channels = widths[3]
        self.branches = nn.ModuleList()
        for _ in range(num_heads):
            self.branches.append(
                nn.ModuleList([
                    SepConv(widths[0], widths[1]),
                    SepConv(2 * widths[1], widths[2]),
                    SepConv(2 * widths[2], widths[3]),
                    SepConv(2 * widths[3], widths[3]),
                ]))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Forward computation.

        Args:
            x (torch.Tensor): Images of shape ``(N, in_channels, H, W)``.

        Returns:
            tuple[torch.Tensor]: ``num_heads`` pooled header features
            :math:`f_i`, each ``(N, out_channels)``.
        """
        stages = self.trunk(x)  # u_1..u_4, (N, c_k, H_k, W_k)
        feats = []
        for branch in self.branches:
            a = branch[0](stages[0])  # (N, c_2, H_1 / 2, W_1 / 2)
            for u, sep in zip(stages[1:], branch[1:]):
                a = sep(torch.cat([u, a], dim=1))  # (N, c, H_k / 2, W_k / 2)
            feats.append(torch.flatten(F.adaptive_avg_pool2d(a, 1), 1))
        return tuple(feats)  # num_heads x (N, c_4)
