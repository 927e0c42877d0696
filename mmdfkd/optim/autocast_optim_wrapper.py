"""Mixed precision without a loss scaler, on CPU and GPU alike."""
from contextlib import contextmanager
from typing import Union

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper
from mmengine.runner.amp import autocast

from mmdfkd.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """An :class:`OptimWrapper` whose ``optim_context`` runs under autocast.

    mmengine's ``AmpOptimWrapper`` refuses to run on CPU and always adds a
    loss scaler. bfloat16 has float32's exponent range and needs no scaler,
    so this wrapper only enters ``autocast(dtype)``; ``tools/train.py --amp``
    switches every wrapper of an ``OptimWrapperDict`` to it where bfloat16 is
    supported (float16 GPUs keep mmengine's ``AmpOptimWrapper``).

    Args:
        dtype (str | torch.dtype): Autocast dtype. Defaults to 'bfloat16'.
        **kwargs: Arguments of :class:`OptimWrapper`.
    """

    def __init__(self, dtype: Union[str, torch.dtype] = 'bfloat16', **kwargs):
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype) if isinstance(dtype,
                                                              str) else dtype

    @contextmanager
    def optim_context(self, model: nn.Module):
        with super().optim_context(model), autocast(dtype=self.cast_dtype):
            yield
