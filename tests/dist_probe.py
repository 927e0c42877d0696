"""A test-only hook (imported with custom_imports by the torchrun test)."""
import json
import os.path as osp

from mmengine.hooks import Hook

from mmdfkd.registry import HOOKS


@HOOKS.register_module()
class LatentProbeHook(Hook):
    """Record a checksum of every latent batch, and of the trained
    parameters, per rank, to ``work_dir/probe_rank{r}.json``."""

    def __init__(self):
        self.batches = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.batches.append(float(data_batch['inputs'].double().sum()))

    def after_train(self, runner):
        model = runner.model.module if hasattr(runner.model,
                                               'module') else runner.model
        params = {
            name: float(sum(p.double().sum() for p in
                            getattr(model, name).parameters()))
            for name in ('generator', 'synthesizer', 'student')
            if getattr(model, name, None) is not None
        }
        pool = getattr(model, 'image_pool', None)
        if pool is not None:  # this rank's shard
            params['pool'] = float(pool.newest(len(pool))[
                pool.keys[0]].double().sum())
        with open(osp.join(runner.work_dir,
                           f'probe_rank{runner.rank}.json'), 'w') as f:
            json.dump(dict(batches=self.batches, params=params,
                           world_size=runner.world_size), f)
