"""Tiny helpers shared by several algorithms."""
import logging
from contextlib import contextmanager, nullcontext
from typing import Dict, Iterator

import torch
import torch.nn as nn


@contextmanager
def frozen(module: nn.Module) -> Iterator[None]:
    """Run ``module`` without accumulating gradients on its parameters.

    Gradients still flow *through* it (e.g. from the student's logits back to
    the generator's images). Under DDP the module's ``no_sync`` is entered as
    well, so the wrapper does not wait for gradients that never come. The
    ``requires_grad`` flags are restored on exit.
    """
    flags = [p.requires_grad for p in module.parameters()]
    module.requires_grad_(False)
    sync = module.no_sync() if hasattr(module, 'no_sync') else nullcontext()
    try:
        with sync:
            yield
    finally:
        for param, flag in zip(module.parameters(), flags):
            param.requires_grad_(flag)


@contextmanager
def sampling_mode(module: nn.Module, train: bool) -> Iterator[None]:
    """Run ``module`` in train (batch statistics) or eval mode for sampling,
    leaving no trace: its buffers (BN running statistics) and its mode are
    restored on exit."""
    buffers = {k: v.clone() for k, v in module.named_buffers()}
    was_training = module.training
    module.train(train)
    try:
        yield
    finally:
        with torch.no_grad():
            for name, buf in module.named_buffers():
                buf.copy_(buffers[name])
        module.train(was_training)


def add_prefix(log_vars: Dict[str, torch.Tensor],
               prefix: str) -> Dict[str, torch.Tensor]:
    """``{'loss': x}`` -> ``{'<prefix>.loss': x}``."""
    return {f'{prefix}.{k}': v for k, v in log_vars.items()}


class _DropRecords(logging.Filter):
    """Drop log records whose message starts with one of ``prefixes``."""

    def __init__(self, *prefixes: str):
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.prefixes)


@contextmanager
def without_file_client_deprecations() -> Iterator[None]:
    """Inside the block, drop mmengine 0.10's two deprecation warnings for
    the ``FileClient`` it builds itself (checkpoint hook, save_checkpoint)
    even when no ``file_client_args`` were given; other records pass."""
    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    quiet = _DropRecords('"FileClient" will be deprecated',
                         '"HardDiskBackend" is the alias')
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)
