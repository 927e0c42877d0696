from typing import List, Sequence

import torch
import torch.nn as nn

from mmdfkd.registry import MODELS


@MODELS.register_module()
class StageAdapters(nn.Module):
    """1x1 convolutions mapping student stage outputs to the teacher's
    channel counts, for a FitNet-style feature loss.

    One module called through ``forward`` (not indexed), so an algorithm
    wrapped by ``MMSeparateDistributedDataParallel`` runs it through its DDP
    wrapper and its gradients are all-reduced.

    Args:
        in_channels (Sequence[int]): Student channels per stage.
        out_channels (Sequence[int]): Teacher channels per stage.
    """

    def __init__(self, in_channels: Sequence[int],
                 out_channels: Sequence[int]):
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Conv2d(cin, cout, 1, bias=False)
            for cin, cout in zip(in_channels, out_channels))

    def forward(self, feats: Sequence[torch.Tensor]) -> List[torch.Tensor]:
        """Adapt each stage output (N, C_S, H, W) to (N, C_T, H, W)."""
        return [conv(f) for conv, f in zip(self.convs, feats)]
