"""The mmengine Runner, trusting only the run's own checkpoints."""
import glob
import os
import os.path as osp

import torch
from mmengine.dist import broadcast, is_main_process
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from mmdfkd.registry import RUNNERS
from mmdfkd.utils import atomic_replace
from .checkpoint import trusted_checkpoints


@RUNNERS.register_module()
class DFKDRunner(Runner):
    """mmengine's :class:`~mmengine.runner.Runner` with four changes.

    - ``resume`` reads the checkpoint with full unpickling, since mmengine's
      own checkpoints need it; every other local load (``load_from``,
      pretrained weights; teachers never come here) stays
      ``weights_only=True``.
    - The config is dumped into the run's timestamped ``log_dir`` instead of
      ``work_dir``, so a run that stops on bad input overwrites nothing an
      earlier run wrote there.
    - After ``init_weights`` only the tensors of the state dict are
      broadcast from rank 0: the per-rank extra states of image pools and
      synthesizers (dicts, their own shards) are not parameters, and
      mmengine's broadcast of every state-dict entry fails on them.
    - Local checkpoints are written to a temporary file and renamed into
      place, so a kill never leaves a half-written ``iter_N.pth`` (see
      :class:`~mmdfkd.hooks.AtomicCheckpointHook` for the rest).

    Selected in configs with ``runner_type = 'DFKDRunner'``.
    """

    def resume(self, filename, *args, **kwargs):
        with trusted_checkpoints():
            return super().resume(filename, *args, **kwargs)

    def save_checkpoint(self, out_dir, filename, file_client_args=None,
                        *args, backend_args=None, **kwargs):
        local = (file_client_args is None and backend_args is None
                 and '://' not in str(out_dir))
        if not local:
            return super().save_checkpoint(
                out_dir, filename, file_client_args, *args,
                backend_args=backend_args, **kwargs)
        tmp = f'.{filename}.{os.getpid()}.tmp'
        try:
            super().save_checkpoint(out_dir, tmp, None, *args, **kwargs)
            if is_main_process():
                atomic_replace(osp.join(out_dir, tmp),
                               osp.join(out_dir, filename))
        finally:
            if is_main_process() and osp.exists(osp.join(out_dir, tmp)):
                os.remove(osp.join(out_dir, tmp))
        if is_main_process():
            _remove_stale_temporaries(out_dir)

    def _init_model_weights(self) -> None:
        model = self.model.module if is_model_wrapper(
            self.model) else self.model
        if hasattr(model, 'init_weights'):
            model.init_weights()
            for value in model.state_dict().values():
                if isinstance(value, torch.Tensor):
                    broadcast(value)

    def dump_config(self) -> None:
        filename = (osp.basename(self.cfg.filename)
                    if self.cfg.filename is not None else
                    f'{self.timestamp}.py')
        self.cfg.dump(osp.join(self.log_dir, filename))


def _remove_stale_temporaries(out_dir: str) -> None:
    """Delete ``.NAME.PID.tmp`` files that a killed save left behind (their
    process no longer exists)."""
    for path in glob.glob(osp.join(glob.escape(out_dir), '.*.*.tmp')):
        pid = path.rsplit('.', 2)[-2]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            os.remove(path)
        except OSError:  # alive, but not ours
            pass


def build_runner(cfg) -> Runner:
    """Build the config's runner (``runner_type``, else mmengine's)."""
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)
