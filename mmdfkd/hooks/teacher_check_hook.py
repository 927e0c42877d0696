"""Measure the teacher on the validation set before training starts."""
from typing import Dict, Optional

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmdfkd.registry import HOOKS
from mmdfkd.utils import DFKDInputError


@HOOKS.register_module()
class TeacherCheckHook(Hook):
    """Score every teacher on the validation set once, before training.

    A data-free run cannot tell a broken teacher (wrong checkpoint, wrong
    normalisation, wrong class order) from a hard task: the student just
    learns noise. This hook measures each teacher's top-1 accuracy on the
    validation loader, logs it, stops the run with a clear error when it is
    below ``min_top1``, and logs it again next to the student's accuracy
    (``val/teacher_top1``) at every validation. With several teachers it
    also scores their ensemble (mean logits, ``val/ensemble_top1``), the
    reference of a multi-teacher student.

    Args:
        min_top1 (float): Floor in percent. Defaults to 0 (only measure).
        max_batches (int, optional): Score at most this many validation
            batches per rank (for huge validation sets). Defaults to None.
        dataloader (dict, optional): Real labelled data to score the teacher
            on when the run has no validation loop (a generator-only run,
            e.g. RDSKD stage 2). Defaults to None (the validation loader).
    """

    priority = 'NORMAL'

    def __init__(self, min_top1: float = 0.0,
                 max_batches: Optional[int] = None,
                 dataloader: Optional[dict] = None):
        self.min_top1 = min_top1
        self.max_batches = max_batches
        self.dataloader = dataloader
        self.teacher_top1: Dict[str, float] = {}

    def before_train(self, runner) -> None:
        if self.dataloader is not None:
            dataloader = runner.build_dataloader(
                self.dataloader, seed=runner.seed)
        elif runner.val_loop is None:  # e.g. tools/train.py --no-validate
            runner.logger.warning(
                'No validation set: the teacher is not checked.')
            return
        else:
            dataloader = runner.val_dataloader
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        counts: Dict[str, torch.Tensor] = {}
        for i, batch in enumerate(dataloader):
            if self.max_batches is not None and i >= self.max_batches:
                break
            data = model.data_preprocessor(batch, False)
            labels = torch.cat([
                s.gt_label.view(-1) for s in data['data_samples']
            ]).to(data['inputs'].device)
            logits_T = model.teacher_logits(data['inputs'])
            num_classes = next(iter(logits_T.values())).shape[1]
            if len(logits_T) > 1:  # several teachers: also their ensemble
                logits_T['ensemble'] = torch.stack(
                    list(logits_T.values())).mean(0)        # (N, K)
            for name, logits in logits_T.items():
                hits = (logits.argmax(dim=1) == labels).sum().float()
                c = counts.setdefault(
                    name, torch.zeros(2, device=labels.device))
                c += torch.stack([hits, hits.new_tensor(labels.numel())])
        for name, c in counts.items():
            all_reduce(c)
            self.teacher_top1[name] = (100 * c[0] / c[1].clamp(min=1)).item()
        runner.logger.info('Teacher top-1 on the validation set: ' + ', '.join(
            f'{n} {a:.2f}%' for n, a in self.teacher_top1.items()))
        broken = {n: a for n, a in self.teacher_top1.items()
                  if a < self.min_top1 and n != 'ensemble'}
        if broken:
            raise DFKDInputError(
                'teacher accuracy below the floor of '
                f'{self.min_top1:.1f}%: ' + ', '.join(
                    f'{n} {a:.2f}%' for n, a in broken.items()) +
                '. Fix: check the teacher checkpoint and that the '
                "algorithm's data_preprocessor mean/std match the teacher's "
                'training normalisation (or lower the floor: --cfg-options '
                'default_hooks.teacher_check.min_top1=X).')
        for name, acc in self.teacher_top1.items():
            runner.message_hub.update_info(f'{name}_top1', acc)
        if counts:  # StudentCheckHook's chance level and reference
            runner.message_hub.update_info('num_classes', num_classes)
            runner.message_hub.update_info('reference_top1', self.teacher_top1[
                'ensemble' if 'ensemble' in self.teacher_top1 else
                next(iter(self.teacher_top1))])

    def after_val_epoch(self, runner, metrics=None) -> None:
        for name, acc in self.teacher_top1.items():
            runner.message_hub.update_scalar(f'val/{name}_top1', acc)
