"""The mmengine Runner, trusting only the run's own checkpoints."""
import os.path as osp

import torch
from mmengine.dist import broadcast
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from mmdfkd.registry import RUNNERS
from .checkpoint import trusted_checkpoints


@RUNNERS.register_module()
class DFKDRunner(Runner):
    """mmengine's :class:`~mmengine.runner.Runner` with three changes.

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

    Selected in configs with ``runner_type = 'DFKDRunner'``.
    """

    def resume(self, filename, *args, **kwargs):
        with trusted_checkpoints():
            return super().resume(filename, *args, **kwargs)

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


def build_runner(cfg) -> Runner:
    """Build the config's runner (``runner_type``, else mmengine's)."""
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)
