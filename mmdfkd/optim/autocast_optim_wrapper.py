"""Mixed precision without a loss scaler, on CPU and GPU alike."""
from contextlib import contextmanager
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.device import get_device
from mmengine.logging import print_log
from mmengine.optim import OptimWrapper
from mmengine.runner.amp import autocast

from mmdfkd.registry import OPTIM_WRAPPERS
from mmdfkd.utils import DFKDInputError

#: ``(device type, dtype)`` decisions of ``dtype='auto'`` already logged.
_LOGGED = set()


def native_bf16(device_type: str) -> bool:
    """Whether bfloat16 runs natively (fast) on devices of this type.

    CUDA: the current GPU computes in bfloat16 (compute capability >= 8.0,
    or ROCm), without emulation. CPU: x86 with AVX512-BF16 or AMX
    instructions (elsewhere bfloat16 autocast on CPU is emulated by
    conversions and usually slower than float32).

    Args:
        device_type (str): ``'cuda'``, ``'cpu'``, ...

    Returns:
        bool: False for any other device type.
    """
    if device_type == 'cuda':
        if not torch.cuda.is_available():
            return False
        try:
            return torch.cuda.is_bf16_supported(including_emulation=False)
        except TypeError:  # torch < 2.3: no emulation check
            return torch.cuda.is_bf16_supported()
    if device_type == 'cpu':
        return any(
            getattr(torch.cpu, name, lambda: False)()
            for name in ('_is_avx512_bf16_supported',
                         '_is_amx_tile_supported'))
    return False


def resolve_autocast_dtype(
        dtype: Union[str, torch.dtype, None],
        device_type: str) -> Optional[torch.dtype]:
    """The autocast dtype of :class:`AutocastOptimWrapper`, None for off.

    Args:
        dtype (str | torch.dtype | None): ``'auto'`` (bfloat16 where
            :func:`native_bf16`, else off), a dtype or its name, or
            None / ``'float32'`` (off).
        device_type (str): The device type of the optimised parameters.

    Returns:
        torch.dtype, optional: The dtype to autocast to; None when the
        wrapper runs in float32.
    """
    if dtype == 'auto':
        cast = torch.bfloat16 if native_bf16(device_type) else None
        if (device_type, cast) not in _LOGGED:
            _LOGGED.add((device_type, cast))
            if cast is None:
                what = (f'float32 (no autocast): {device_type} has no native '
                        "bfloat16; dtype='bfloat16' forces it")
            else:
                what = f'bfloat16 autocast ({device_type} has native bfloat16)'
            print_log(f"AutocastOptimWrapper dtype='auto': {what}.",
                      logger='current')
        return cast
    if isinstance(dtype, str):
        cast = getattr(torch, dtype, None)
        if not isinstance(cast, torch.dtype):
            raise DFKDInputError(
                f'AutocastOptimWrapper: unknown dtype {dtype!r}. Fix: '
                "dtype='auto', 'bfloat16', 'float16' or None (float32).")
        dtype = cast
    if dtype is None or dtype == torch.float32:
        return None
    return dtype


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """An :class:`OptimWrapper` whose ``optim_context`` runs under autocast.

    mmengine's ``AmpOptimWrapper`` refuses to run on CPU and always adds a
    loss scaler. bfloat16 has float32's exponent range and needs no scaler,
    so this wrapper only enters ``autocast(dtype)``. It is the default of
    every distillation config (``optim_wrapper.defaults`` in
    ``configs/_base_/dfkd_runtime.py``, ``dtype='auto'``);
    ``tools/train.py --amp`` forces bfloat16 (or mmengine's
    ``AmpOptimWrapper`` on float16-only GPUs) and ``--no-amp`` switches to a
    plain float32 ``OptimWrapper``.

    The autocast dtype is decided once, when the wrapper is built, for the
    device of the optimiser's parameters (the Runner moves the model there
    before it builds the optimisers); ``'auto'`` logs its decision once per
    process.

    Args:
        dtype (str | torch.dtype, optional): Autocast dtype: ``'auto'``
            (bfloat16 where the device computes it natively, see
            :func:`native_bf16`; float32 elsewhere), ``'bfloat16'``,
            ``'float16'`` (no loss scaling: prefer ``AmpOptimWrapper``), or
            None / ``'float32'`` for no autocast. Defaults to 'bfloat16'
            (the distillation configs' ``defaults`` give ``'auto'``).
        **kwargs: Arguments of :class:`OptimWrapper`.
    """

    def __init__(self,
                 dtype: Union[str, torch.dtype, None] = 'bfloat16',
                 **kwargs):
        super().__init__(**kwargs)
        params = [p for group in self.optimizer.param_groups
                  for p in group['params']]
        self.device_type = params[0].device.type if params else get_device()
        self.cast_dtype = resolve_autocast_dtype(dtype, self.device_type)

    @contextmanager
    def optim_context(self, model: nn.Module):
        with super().optim_context(model):
            if self.cast_dtype is None:
                yield
            else:
                with autocast(device_type=self.device_type,
                              dtype=self.cast_dtype):
                    yield
