"""The mmengine Runner, trusting only the run's own checkpoints."""
import glob
import os
import os.path as osp
import re
from collections import OrderedDict

import torch
from mmengine.dist import broadcast, is_main_process
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from mmengine.runner.checkpoint import (_load_checkpoint,
                                        _load_checkpoint_to_model,
                                        find_latest_checkpoint)

from mmdfkd.registry import RUNNERS
from mmdfkd.utils import (DFKDInputError, atomic_replace,
                          without_file_client_deprecations)
from .checkpoint import trusted_checkpoints


@RUNNERS.register_module()
class DFKDRunner(Runner):
    """mmengine's :class:`~mmengine.runner.Runner` with five changes.

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
    - A ``default_hooks`` entry set to None is switched off, whatever its
      key (mmengine allows None only for its own keys), e.g.
      ``--cfg-options default_hooks.student_check=None``.

    Selected in configs with ``runner_type = 'DFKDRunner'``.
    """

    #: mmengine's own default hooks: None removes them in mmengine already
    _MMENGINE_DEFAULT_HOOKS = ('runtime_info', 'timer', 'sampler_seed',
                               'logger', 'param_scheduler', 'checkpoint')

    def register_default_hooks(self, hooks=None) -> None:
        if hooks is not None:  # ours (teacher_check, ...): None drops them
            hooks = {k: v for k, v in hooks.items()
                     if v is not None or k in self._MMENGINE_DEFAULT_HOOKS}
        super().register_default_hooks(hooks)

    def resume(self, filename, *args, **kwargs):
        with trusted_checkpoints():
            return super().resume(filename, *args, **kwargs)

    def load_or_resume(self) -> None:
        if (self._resume and self._load_from is None and not self._has_loaded
                and find_latest_checkpoint(self.work_dir) is None):
            raise DFKDInputError(
                f'--resume: nothing to resume in {self.work_dir} (no '
                'last_checkpoint file). Fix: drop --resume to start a new '
                'run, or give the --work-dir (or the checkpoint, --resume '
                'PATH) of the run to continue.')
        return super().load_or_resume()

    def load_checkpoint(self, filename, map_location='cpu', strict=False,
                        revise_keys=[(r'^module.', '')]):
        """mmengine's, but always strict (a checkpoint that does not fit
        the model is an error, not a silently half-loaded model), with the
        mismatch named in one line; a resumed checkpoint must come from the
        same algorithm."""
        checkpoint = _load_checkpoint(filename, map_location=map_location)
        if not isinstance(checkpoint, dict):
            raise DFKDInputError(
                f'{filename} holds a {type(checkpoint).__name__}, not a '
                'checkpoint. Fix: give an iter_*.pth of a run of this '
                'config.')
        model = self.model.module if is_model_wrapper(
            self.model) else self.model
        saved = checkpoint.get('meta', {}).get('algorithm')
        if saved is not None and saved != type(model).__name__:
            raise DFKDInputError(
                f'{filename} is a {saved} checkpoint, this config trains '
                f'{type(model).__name__}. Fix: give a checkpoint of a run '
                'of this config (or the config that wrote it).')
        # mmengine saves the DDP-wrapped submodules' keys (student.module.x)
        # but loads by unwrapped names (student.x): non-strict, it silently
        # skipped every wrapped submodule of a multi-rank checkpoint
        original = checkpoint.get('state_dict', checkpoint)
        state = _unwrapped_keys(original)
        for pattern, repl in revise_keys:
            state = {re.sub(pattern, repl, k): v for k, v in state.items()}
        state = OrderedDict(state)
        metadata = getattr(original, '_metadata', None)
        if metadata is not None:  # per-module versions for _load_from_...
            state._metadata = metadata
        _check_keys(filename, state, model)
        checkpoint = dict(checkpoint, state_dict=state)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        _load_checkpoint_to_model(model, checkpoint, strict=True,
                                  revise_keys=revise_keys)
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint

    def save_checkpoint(self, out_dir, filename, file_client_args=None,
                        *args, backend_args=None, meta=None, **kwargs):
        model = self.model.module if is_model_wrapper(
            self.model) else self.model
        meta = dict(meta or {}, algorithm=type(model).__name__)
        kwargs['meta'] = meta
        local = (file_client_args is None and backend_args is None
                 and '://' not in str(out_dir))
        if not local:
            return super().save_checkpoint(
                out_dir, filename, file_client_args, *args,
                backend_args=backend_args, **kwargs)
        tmp = f'.{filename}.{os.getpid()}.tmp'
        try:
            with without_file_client_deprecations():
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


def _unwrapped_keys(state: dict) -> dict:
    """Keys without DDP's ``module.`` segments (mmengine's load_state_dict
    unwraps the wrapped submodules of MMSeparateDistributedDataParallel)."""
    return {re.sub(r'(^|\.)module\.', r'\1', k): v for k, v in state.items()}


def _check_keys(filename: str, state: dict, model) -> None:
    """One line naming how ``state`` does not fit ``model``."""
    own = _unwrapped_keys(model.state_dict())
    missing = [k for k in own if k not in state
               and not k.endswith('num_batches_tracked')]  # as mmengine
    unexpected = [k for k in state if k not in own]
    shapes = [k for k in own if k in state and hasattr(state[k], 'shape')
              and hasattr(own[k], 'shape') and state[k].shape != own[k].shape]
    if not (missing or unexpected or shapes):
        return

    def few(keys):
        more = f' and {len(keys) - 3} more' if len(keys) > 3 else ''
        return ', '.join(keys[:3]) + more

    parts = [f'{len(missing)} of its {len(own)} keys missing '
             f'({few(missing)})' if missing else '',
             f'{len(unexpected)} unexpected ({few(unexpected)})'
             if unexpected else '',
             f'{len(shapes)} of another shape ({few(shapes)})'
             if shapes else '']
    prefixes = {k.split('.')[0] for k in own}
    single = state and not any(k.split('.')[0] in prefixes for k in state)
    hint = (' The file holds a single network (e.g. a teacher\'s or an '
            'exported student\'s weights.pth), not a run of this '
            'config.' if single else '')
    raise DFKDInputError(
        f'{filename} does not fit this config\'s {type(model).__name__}: '
        + '; '.join(p for p in parts if p) + '.' + hint +
        ' Fix: give a checkpoint (iter_*.pth) written by a run of this '
        'config; a teacher\'s weights go in model.teacher.checkpoint; an '
        'exported student.pth is scored with its student_config.py.')


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
