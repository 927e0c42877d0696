"""Write the trained model as a plain, weights-only state dict."""
import os.path as osp
from typing import Optional

import torch
from mmengine.dist import master_only
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmdfkd.registry import HOOKS
from mmdfkd.utils import atomic_write


@HOOKS.register_module()
class ExportWeightsHook(Hook):
    """Save ``{'state_dict': ..., 'meta': ...}`` to ``work_dir/filename``.

    mmengine's run checkpoints carry optimizer state and a ``message_hub`` of
    Python objects, so ``torch.load(weights_only=True)`` refuses them, and
    mmdfkd loads teachers only that way. Teacher-training configs add this
    hook, so the weights a distillation config points at are a plain state
    dict (tensors, strings and numbers only), at a path that does not depend
    on the number of epochs. Written at the end of training. (mmengine's
    ``CheckpointHook(published_keys=...)`` also strips a checkpoint, but
    names the file after its hash, which a config cannot point at.)

    Args:
        filename (str): File name inside ``work_dir``. Defaults to
            'weights.pth'.
        module (str, optional): Export only this submodule of the model,
            e.g. ``'generator'`` for a generator-only run (RDSKD stage 2),
            whose ``generator.pth`` the next stage loads. Defaults to None
            (the whole model).
    """

    priority = 'LOW'

    def __init__(self, filename: str = 'weights.pth',
                 module: Optional[str] = None):
        self.filename = filename
        self.module = module

    @master_only
    def after_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        meta = dict(
            epoch=runner.epoch,
            iter=runner.iter,
            config=osp.basename(runner.cfg.filename or ''),
            classes=list(
                getattr(runner.train_dataloader.dataset, 'metainfo',
                        {}).get('classes', ()) or ()))
        if self.module is not None:
            model = getattr(model, self.module)
            if is_model_wrapper(model):  # a DDP-wrapped submodule
                model = model.module
            meta['module'] = self.module
        path = osp.join(runner.work_dir, self.filename)
        with atomic_write(path) as f:
            torch.save(dict(state_dict=model.state_dict(), meta=meta), f)
        runner.logger.info(f'Plain weights written to {path}')
