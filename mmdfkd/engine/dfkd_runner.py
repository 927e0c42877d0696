"""The mmengine Runner, trusting only the run's own checkpoints."""
from mmengine.runner import Runner

from mmdfkd.registry import RUNNERS
from .checkpoint import trusted_checkpoints


@RUNNERS.register_module()
class DFKDRunner(Runner):
    """mmengine's :class:`~mmengine.runner.Runner` with one change.

    ``load_checkpoint`` (used by ``resume`` and ``load_from``) reads the file
    with full unpickling, since mmengine's own checkpoints need it; every
    other local load (pretrained weights, teachers) stays
    ``weights_only=True``. Selected in configs with
    ``runner_type = 'DFKDRunner'``.
    """

    def load_checkpoint(self, filename, *args, **kwargs):
        with trusted_checkpoints():
            return super().load_checkpoint(filename, *args, **kwargs)


def build_runner(cfg) -> Runner:
    """Build the config's runner (``runner_type``, else mmengine's)."""
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)
