"""Stop a run, with one clear message, when a loss stops being finite."""
import math

import torch
from mmengine.hooks import Hook

from mmdfkd.registry import HOOKS
from mmdfkd.utils import DFKDInputError


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Raise :class:`DFKDInputError` when a logged loss is NaN or infinite.

    It reads the values ``train_step`` returned, after mmengine's
    ``RuntimeInfoHook`` has already moved them to the host for logging, so
    it adds no device synchronisation. It runs before ``CheckpointHook``, so
    no checkpoint of the broken state is written; earlier ones are kept.
    """

    priority = 'NORMAL'

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        values = {k: float(v.detach() if torch.is_tensor(v) else v)
                  for k, v in (outputs or {}).items() if 'loss' in k}
        bad = {k: v for k, v in values.items() if not math.isfinite(v)}
        if bad:
            raise DFKDInputError(
                f'non-finite loss at iteration {runner.iter + 1}: ' +
                ', '.join(f'{k}={v}' for k, v in bad.items()) +
                '. Fix: lower the learning rates '
                '(optim_wrapper.<module>.optimizer.lr) or train in float32 '
                '(tools/train.py --no-amp); '
                'checkpoints already written are kept (resume from the last '
                'good one with --resume).')
