"""Gather per-rank state (image pools, synthesizers) before checkpoints."""
from mmengine.dist import get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmengine.model import is_model_wrapper

from mmdfkd.registry import HOOKS


@HOOKS.register_module()
class RankShardsHook(Hook):
    """Make rank 0's checkpoint hold every rank's own state.

    Under DDP each rank keeps what only it has: the images it synthesised
    (:class:`~mmdfkd.synthesizers.ImagePool`) and the random generator and
    inner optimizers of its synthesis rounds
    (:class:`~mmdfkd.synthesizers.RoundSynthesizer`); mmengine saves
    checkpoints on rank 0 only. At every iteration where the
    iteration-based ``CheckpointHook`` will save, this hook (which runs just
    before it, on every rank: the gather is collective) calls
    ``gather_shards()`` of every such module, which collects the ranks'
    shards on rank 0; on resume each rank takes its own back. Other saves
    (by epoch, ``save_best``) hold rank 0's shard only, and resuming them
    on several ranks is refused with a clear error. A single-process run
    needs nothing and the hook does nothing.
    """

    priority = 'LOW'  # before CheckpointHook (VERY_LOW)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if get_world_size() == 1 or not self._saves_now(runner):
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        for module in model.modules():
            if callable(getattr(module, 'gather_shards', None)):
                module.gather_shards()

    def _saves_now(self, runner) -> bool:
        for hook in runner.hooks:
            if isinstance(hook, CheckpointHook) and not hook.by_epoch:
                return hook.every_n_train_iters(
                    runner, hook.interval, hook.save_begin) or (
                        hook.save_last and hook.is_last_train_iter(runner))
        return False
