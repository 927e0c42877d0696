from functools import partial
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm


def _is_bn2d(module: nn.Module) -> bool:
    """A 2d batch norm with running statistics (BatchNorm2d, SyncBatchNorm
    and other ``_BatchNorm`` subclasses that are not 1d/3d)."""
    return (isinstance(module, _BatchNorm)
            and not isinstance(module, (nn.BatchNorm1d, nn.BatchNorm3d))
            and module.running_mean is not None
            and module.running_var is not None)


class BNStatsRecorder:
    r"""Record the input statistics of every 2d BatchNorm layer of a model.

    The per-layer inputs of the BN-statistics loss of `DeepInversion
    <https://arxiv.org/abs/1912.08795>`_ / `CDFKD-MFS
    <https://arxiv.org/abs/2205.11845>`_ (see
    :class:`mmdfkd.losses.BNStatisticsLoss`). Inside the ``with`` block a
    forward pre-hook on each layer computes, from the layer's **input**
    :math:`x_l` of shape ``(N, C, H, W)``,

    .. math::
        \mu_l = \mathrm{mean}_{N,H,W}(x_l), \qquad
        \sigma^2_l = \mathrm{var}_{N,H,W}(x_l)\ \text{(biased)},

    in float32 and *with* the autograd graph, so a loss on them sends
    gradients back to whatever produced the input (e.g. a generator). Only
    these ``(C, )`` vectors are kept, never feature maps, so memory does not
    grow with the image size. The hooks are removed when the block exits;
    the records stay readable until :meth:`clear`.

    Layers are those of ``model.modules()`` that are ``_BatchNorm`` but not
    1d/3d and that track running statistics (a BN with
    ``track_running_stats=False`` has no target to match). Lists are in
    module order and hold only the layers that ran; calling the model twice
    in one block overwrites the first call's records (one record per layer).

    Args:
        model (nn.Module): The network to watch (typically the teacher).
        enabled (bool): Record at all; False makes the block a no-op with
            empty records (a method without a BN loss). Defaults to True.

    Example:
        >>> import torch
        >>> from mmdfkd.utils import BNStatsRecorder
        >>> model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3),
        ...                             torch.nn.BatchNorm2d(4)).eval()
        >>> with BNStatsRecorder(model) as rec:
        ...     _ = model(torch.randn(2, 3, 8, 8))
        >>> [m.shape for m in rec.means]
        [torch.Size([4])]
    """

    def __init__(self, model: nn.Module, enabled: bool = True) -> None:
        self.layers: List[nn.Module] = [
            m for m in model.modules() if _is_bn2d(m)
        ] if enabled else []
        # one (mean, var) pair per layer, None until the layer runs
        self._records: List[Optional[Tuple[torch.Tensor, torch.Tensor]]]
        self._records = [None] * len(self.layers)
        self._handles: list = []

    def _hook(self, index: int, module: nn.Module, inputs: tuple) -> None:
        x = inputs[0]
        if x.dim() != 4:
            raise ValueError('BNStatsRecorder expects 4-D inputs (N, C, H, '
                             f'W) to {type(module).__name__}, got shape '
                             f'{tuple(x.shape)}.')
        # two passes, as torch's BN kernel: several times faster on CPU
        # than torch.var_mean (Welford), and as stable
        x = x.float()
        mean = x.mean(dim=(0, 2, 3), keepdim=True)  # (1, C, 1, 1)
        var = (x - mean).square().mean(dim=(0, 2, 3))  # (C, ), biased
        self._records[index] = (mean.flatten(), var)

    def __enter__(self) -> 'BNStatsRecorder':
        if self._handles:
            raise RuntimeError('BNStatsRecorder is already active.')
        self._handles = [
            layer.register_forward_pre_hook(partial(self._hook, i))
            for i, layer in enumerate(self.layers)
        ]
        return self

    def __exit__(self, *exc_info) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def clear(self) -> None:
        """Drop the records (and the graphs they hold)."""
        self._records = [None] * len(self.layers)

    def _ran(self) -> List[int]:
        return [i for i, r in enumerate(self._records) if r is not None]

    @property
    def means(self) -> List[torch.Tensor]:
        """Batch means of the recorded layers' inputs, each ``(C_l, )``."""
        return [self._records[i][0] for i in self._ran()]

    @property
    def vars(self) -> List[torch.Tensor]:
        """Biased batch variances of the recorded layers' inputs."""
        return [self._records[i][1] for i in self._ran()]

    @property
    def running_means(self) -> List[torch.Tensor]:
        """``running_mean`` of the recorded layers (same order)."""
        return [self.layers[i].running_mean for i in self._ran()]

    @property
    def running_vars(self) -> List[torch.Tensor]:
        """``running_var`` of the recorded layers (same order)."""
        return [self.layers[i].running_var for i in self._ran()]

    def statistics(self) -> Tuple[List[torch.Tensor], ...]:
        """``(means, vars, running_means, running_vars)``: the arguments of
        :class:`mmdfkd.losses.BNStatisticsLoss`."""
        return self.means, self.vars, self.running_means, self.running_vars
