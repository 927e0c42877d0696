"""mmengine's CheckpointHook with writes a kill cannot half-finish."""
import os
import os.path as osp
from contextlib import nullcontext

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook

from mmdfkd.registry import HOOKS
from mmdfkd.utils import atomic_write, without_file_client_deprecations


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """:class:`~mmengine.hooks.CheckpointHook` whose files are always whole.

    mmengine 0.10 deletes the oldest checkpoint *before* writing the new one
    and writes both the checkpoint and ``last_checkpoint`` in place, so with
    ``max_keep_ckpts=1`` a kill between the deletion and the end of the
    write leaves no checkpoint to resume. Here, on a local file system:

    1. the checkpoint is written to a temporary file and renamed into place
       (:meth:`mmdfkd.engine.DFKDRunner.save_checkpoint`);
    2. ``last_checkpoint`` is replaced the same way, so it always names a
       complete file;
    3. only then is the checkpoint that fell out of ``max_keep_ckpts``
       deleted.

    Other back ends (``backend_args``) keep mmengine's behaviour. Arguments
    as for :class:`~mmengine.hooks.CheckpointHook`.
    """

    def before_train(self, runner) -> None:
        # mmengine builds a deprecated FileClient it never uses when
        # file_client_args is None, and logs two deprecation warnings for it
        with (without_file_client_deprecations() if
              self.file_client_args is None else nullcontext()):
            super().before_train(runner)

    def _save_checkpoint_with_step(self, runner, step, meta):
        if not isinstance(self.file_backend, LocalBackend):
            return super()._save_checkpoint_with_step(runner, step, meta)
        stale = None
        if self.max_keep_ckpts > 0 and not (
                self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                stale = self.keep_ckpt_ids.popleft()
            self.keep_ckpt_ids.append(step)
            # in the message hub before the save, so the checkpoint records
            # which files it keeps (as mmengine does)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))
        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = osp.join(self.out_dir, ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir, ckpt_filename, self.file_client_args,
            save_optimizer=self.save_optimizer,
            # a run without schedulers (RDSKD: constant lrs) has nothing
            # to save, which mmengine would warn about at every save
            save_param_scheduler=(self.save_param_scheduler and
                                  runner.param_schedulers is not None),
            meta=meta,
            by_epoch=self.by_epoch, backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        with atomic_write(osp.join(runner.work_dir, 'last_checkpoint'),
                          'w') as f:
            f.write(self.last_ckpt)
        if stale is not None:
            path = osp.join(self.out_dir, self.filename_tmpl.format(stale))
            if osp.isfile(path) and path != self.last_ckpt:
                os.remove(path)
