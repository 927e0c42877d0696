"""The iteration-based train loop that resumes in constant time."""
import logging
from typing import Optional

import torch
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop
from mmengine.runner.loops import _InfiniteDataloaderIterator
from torch.utils.data import BatchSampler

from mmdfkd.registry import LOOPS


@LOOPS.register_module()
class DFKDIterBasedTrainLoop(IterBasedTrainLoop):
    """mmengine's :class:`~mmengine.runner.IterBasedTrainLoop` that skips
    the finished iterations of a resumed run in constant time.

    On resume mmengine calls ``next()`` on the dataloader once per finished
    iteration, drawing (and discarding) every batch of the run so far: about
    11 minutes at iteration 200k for latent codes. This loop instead puts
    the dataloader where the uninterrupted run would be: with ``L =
    len(dataloader)`` batches per epoch, epoch ``iter // L`` goes to the
    sampler (``set_epoch``, after ``DistSamplerSeedHook`` has set epoch 0
    in ``before_train_epoch``) and to mmengine's
    ``_InfiniteDataloaderIterator`` (which counts the epochs it restarts),
    the sampler skips the ``iter % L`` finished batches of this rank
    (``skip(batches * batch_size)``, see
    :class:`~mmdfkd.datasets.ResumableSampler`) and a new iterator starts
    there. The batches that follow are those of an uninterrupted run, and
    the global torch RNG advances as under mmengine (one draw per DataLoader
    iterator mmengine would have created; with persistent workers none).

    A dataloader whose sampler has no ``skip`` method, or whose batch
    sampler is not torch's default ``BatchSampler`` over that sampler, is
    fast-forwarded as by mmengine, with one warning saying why. Everything
    else (hooks, validation, arguments) is mmengine's.

    Selected in configs with ``train_cfg = dict(type='DFKDIterBasedTrainLoop',
    max_iters=...)``; ``configs/_base_/dfkd_runtime.py`` does.
    """

    def run(self) -> torch.nn.Module:
        """Launch training (mmengine's, but for the skip on resume)."""
        self.runner.call_hook('before_train')
        # In iteration-based training loop, we treat the whole training process
        # as a big epoch and execute the corresponding hook.
        self.runner.call_hook('before_train_epoch')
        if self._iter > 0:
            self._skip_finished_iters()
        while self._iter < self._max_iters and not self.stop_training:
            self.runner.model.train()

            data_batch = next(self.dataloader_iterator)
            self.run_iter(data_batch)

            self._decide_current_val_interval()
            if (self.runner.val_loop is not None
                    and self._iter >= self.val_begin
                    and (self._iter % self.val_interval == 0
                         or self._iter == self._max_iters)):
                self.runner.val_loop.run()

        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model

    def _cannot_skip(self) -> Optional[str]:
        """Why the dataloader cannot skip in constant time, or None."""
        loader = self.dataloader
        sampler = getattr(loader, 'sampler', None)
        batch_sampler = getattr(loader, 'batch_sampler', None)
        if not callable(getattr(sampler, 'skip', None)):
            return (f'the train sampler {type(sampler).__name__} cannot '
                    'skip indices (use ResumableSampler)')
        if (type(batch_sampler) is not BatchSampler
                or batch_sampler.sampler is not sampler):
            return (f'the batch sampler {type(batch_sampler).__name__} is '
                    "not torch's default BatchSampler over the sampler")
        if not isinstance(self.dataloader_iterator,
                          _InfiniteDataloaderIterator):
            return (f'the dataloader iterator '
                    f'{type(self.dataloader_iterator).__name__} is not '
                    "mmengine's _InfiniteDataloaderIterator")
        if len(loader) == 0:
            return 'the train dataloader has no batch'
        return None

    def _skip_finished_iters(self) -> None:
        """Put the dataloader after the ``self._iter`` finished batches."""
        reason = self._cannot_skip()
        if reason is not None:
            print_log(
                f'Resume will be slow: {reason}, so the dataloader draws all '
                f'{self._iter} finished batches again (mmengine '
                'IterBasedTrainLoop)', logger='current',
                level=logging.WARNING)
            for _ in range(self._iter):
                next(self.dataloader_iterator)
            return
        loader = self.dataloader
        epoch, batches = divmod(self._iter, len(loader))
        loader.sampler.set_epoch(epoch)
        loader.sampler.skip(batches * loader.batch_sampler.batch_size)
        self.dataloader_iterator = self._iterator_at(epoch)
        print_log(
            f'Skipped {self._iter} finished iterations in O(1): the train '
            f'dataloader continues in epoch {epoch} at batch {batches}',
            logger='current', level=logging.INFO)

    def _iterator_at(self, epoch: int) -> _InfiniteDataloaderIterator:
        """A new infinite iterator counting ``epoch``; the RNG that seeds
        DataLoader iterators ends where mmengine's ``epoch`` restarts leave
        it."""
        loader = self.dataloader
        rng = (loader.generator
               if loader.generator is not None else torch.default_generator)
        if epoch == 0 or (loader.persistent_workers
                          and loader.num_workers > 0):
            # mmengine keeps (or only resets) the loop's first iterator
            state = rng.get_state()
            iterator = _InfiniteDataloaderIterator(loader)
            rng.set_state(state)
        else:
            # each restart draws one base seed; the new iterator draws the
            # last one
            for _ in range(epoch - 1):
                torch.empty((), dtype=torch.int64).random_(
                    generator=loader.generator)
            iterator = _InfiniteDataloaderIterator(loader)
        iterator._epoch = epoch
        return iterator
