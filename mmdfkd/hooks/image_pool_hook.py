"""Gather the image pools' per-rank shards before each checkpoint."""
from mmengine.dist import get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmengine.model import is_model_wrapper

from mmdfkd.registry import HOOKS
from mmdfkd.synthesizers import ImagePool


@HOOKS.register_module()
class ImagePoolHook(Hook):
    """Make rank 0's checkpoint hold every rank's :class:`ImagePool` shard.

    mmengine saves checkpoints on rank 0 only, and under DDP each rank
    keeps the images it synthesised. At every iteration where the
    ``CheckpointHook`` will save, this hook (which runs just before it)
    gathers the shards on every rank; on resume each rank takes its own
    back. A single-process run needs nothing and the hook does nothing.
    """

    priority = 'LOW'  # before CheckpointHook (VERY_LOW)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if get_world_size() == 1 or not self._saves_now(runner):
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        for module in model.modules():
            if isinstance(module, ImagePool):
                module.gather_shards()

    def _saves_now(self, runner) -> bool:
        for hook in runner.hooks:
            if isinstance(hook, CheckpointHook) and not hook.by_epoch:
                return hook.every_n_train_iters(
                    runner, hook.interval, hook.save_begin) or (
                        hook.save_last and hook.is_last_train_iter(runner))
        return False
