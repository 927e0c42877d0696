"""Build frozen teachers from mmpretrain and load their weights safely.

A teacher is described by a dict::

    teacher = dict(
        model='resnet34_8xb16_cifar10',      # an mmpretrain zoo name,
        # model='mmpretrain::resnet/resnet34_8xb16_cifar10.py',  # a config,
        # model=dict(type='mmpretrain.ImageClassifier', ...),    # a model,
        checkpoint=None)  # path or URL; zoo names and configs default to the
                          # weights mmpretrain publishes for them

Weights are read with ``torch.load(..., weights_only=True)`` (only a tool
reading the user's own run's checkpoint passes ``trusted=True``) and loaded
with ``strict=True``: teachers are files users download from the internet,
and a half-loaded teacher silently teaches noise. Every failure raises
:class:`DFKDInputError` naming the problem and the fix.
"""
import os.path as osp
import pickle
import re
import urllib.error
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope

from mmdfkd.registry import MODELS
from mmdfkd.utils import (CONVERT_HINT, DFKDInputError, NeedsUnpickling,
                          clean_text, read_weights)


def _is_url(path: str) -> bool:
    return re.match(r'^https?://', path) is not None


MISSING_HINT = dict(
    teacher=('train the teacher first (python tools/train.py '
             'configs/teachers/<its config>.py) or point the '
             "teacher's `checkpoint` at an existing file "
             '(--cfg-options model.teacher.checkpoint=PATH).'),
    generator=('train the generator first (its stage-2 config, e.g. '
               'python tools/train.py configs/rdskd/rdskd_generator_<...>.py'
               ', writes work_dirs/<config name>/generator.pth) or point '
               '`generator_checkpoint` at an existing file '
               '(--cfg-options model.generator_checkpoint=PATH).'),
    student=('run the distillation first (e.g. configs/cdfkd_mfs/'
             'cdfkd-mfs_<...>.py writes work_dirs/<config name>/student.pth) '
             'or point `student_checkpoint` at an existing file '
             '(--cfg-options model.student_checkpoint=PATH).'))


def load_state_dict_safely(checkpoint: str,
                           what: str = 'teacher',
                           trusted: bool = False) -> dict:
    """Read a state dict from a local path or URL with ``weights_only=True``
    (unless ``trusted``).

    Args:
        checkpoint (str): Local path or http(s) URL. URLs are cached under
            ``$TORCH_HOME/hub/checkpoints`` (a file placed there by hand is
            used offline).
        what (str): What the weights are for (``'teacher'``,
            ``'generator'``), to word the errors. Defaults to 'teacher'.
        trusted (bool): Unpickle a local file in full. Only for the user's
            own run's output (an ``iter_*.pth`` checkpoint given to a tool),
            never for downloaded weights: URLs are always read with
            ``weights_only=True``. Defaults to False.

    Returns:
        dict: The state dict (the ``state_dict`` entry when present), with a
        leading ``module.`` stripped from every key.
    """
    try:
        if _is_url(checkpoint):
            ckpt = torch.hub.load_state_dict_from_url(
                checkpoint, map_location='cpu', weights_only=True,
                progress=False)
        else:
            path = osp.expanduser(checkpoint)
            if not osp.isfile(path):
                raise DFKDInputError(
                    f'{what} checkpoint not found: {checkpoint}. Fix: ' +
                    MISSING_HINT.get(what, MISSING_HINT['teacher']))
            ckpt = read_weights(path, weights_only=not trusted,
                                what=f'{what} checkpoint')
    except (urllib.error.URLError, OSError) as e:
        if isinstance(e, FileNotFoundError) or not _is_url(checkpoint):
            raise DFKDInputError(
                f'cannot read {what} checkpoint {checkpoint}: '
                f'{clean_text(e)}') from e
        fname = osp.basename(checkpoint.split('?')[0])
        raise DFKDInputError(
            f'cannot download {what} weights {checkpoint} '
            f'({clean_text(e)}). Fix: '
            f'download it where a network exists and put it at '
            f'{osp.join(torch.hub.get_dir(), "checkpoints", fname)}, or set '
            f'the {what} `checkpoint` to a local path.') from e
    except NeedsUnpickling as e:
        raise DFKDInputError(
            f'refusing to load {what} checkpoint {checkpoint}: it holds '
            f'more than weights ({e.reason}), and unpickling it could run '
            'code from the file. ' + CONVERT_HINT.format(path=checkpoint)
        ) from e
    except (pickle.UnpicklingError, RuntimeError, EOFError,
            ValueError) as e:  # a downloaded file (local: read_weights)
        if not _is_url(checkpoint):
            raise
        fname = osp.basename(checkpoint.split('?')[0])
        raise DFKDInputError(
            f'cannot read the downloaded {what} weights {checkpoint} '
            f'({type(e).__name__}: {clean_text(e)}). Fix: delete '
            f'{osp.join(torch.hub.get_dir(), "checkpoints", fname)} (a '
            'truncated download, or not a weights-only file) and retry.'
        ) from e
    if not isinstance(ckpt, dict):
        raise DFKDInputError(
            f'{what} checkpoint {checkpoint} holds a {type(ckpt).__name__}, '
            'not a state dict. Fix: save `model.state_dict()`.')
    state = ckpt.get('state_dict', ckpt)
    return {re.sub(r'^module\.', '', k): v for k, v in state.items()}


def model_config(name: str, what: str = 'teacher') -> (Config, Optional[str]):
    """The mmpretrain config of a zoo name, ``mmpretrain::`` config path or
    local config path, and its published weights (None if none).

    Args:
        name (str): The zoo name or config path.
        what (str): What the model is for (``'teacher'``, ``'student'``),
            to word the errors. Defaults to 'teacher'.
    """
    if name.endswith('.py'):
        if '::' in name:
            from mmengine.hub import get_config
            try:
                cfg = get_config(name, pretrained=True)
            except Exception:  # no metafile entry, hence no weights
                try:
                    cfg = get_config(name, pretrained=False)
                except (FileNotFoundError, ValueError, AssertionError) as e:
                    raise DFKDInputError(
                        f'{what} config {name} not found ({e}). Fix: use a '
                        'path under mmpretrain/configs, e.g. '
                        "'mmpretrain::resnet/resnet34_8xb16_cifar10.py'."
                    ) from e
        elif osp.isfile(name):
            cfg = Config.fromfile(name)
        else:
            raise DFKDInputError(f'{what} config {name} not found.')
        return cfg, cfg.get('model_path', None)
    from mmpretrain.apis import ModelHub
    try:
        meta = ModelHub.get(name)
    except ValueError as e:
        raise DFKDInputError(
            f'unknown {what} name {name!r}: not in the mmpretrain zoo. Fix: '
            'pick a name from `python -c "import mmpretrain; '
            'print(mmpretrain.list_models())"` (e.g. '
            "'resnet34_8xb16_cifar10'), or give a model dict and a "
            'checkpoint.') from e
    return meta.config, meta.weights


def _build_model(model: Union[str, dict]) -> (nn.Module, Optional[str]):
    """Build a teacher architecture; return it with its published weights."""
    from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS

    if isinstance(model, (dict, ConfigDict)):
        return MODELS.build(model), None
    if not isinstance(model, str):
        raise DFKDInputError(
            f'teacher `model` must be a zoo name, an mmpretrain:: config path '
            f'or a model dict, got {type(model).__name__}.')
    cfg, weights = model_config(model)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MMPRETRAIN_MODELS.build(cfg.model), weights


def build_teacher(cfg: dict) -> nn.Module:
    """Build one frozen, eval-mode teacher from its description.

    Args:
        cfg (dict): ``model`` (zoo name, ``mmpretrain::`` config path, local
            config path or model dict), ``checkpoint`` (path or URL; defaults
            to the zoo's weights for names and configs) and ``init_random``
            (skip loading; only for tests and speed benchmarks). Defaults
            apply when keys are absent.

    Returns:
        nn.Module: The teacher, strictly loaded, with ``requires_grad=False``,
        in eval mode and marked initialised so ``init_weights`` skips it.
    """
    cfg = dict(cfg)
    unknown = set(cfg) - {'model', 'checkpoint', 'init_random'}
    if unknown or 'model' not in cfg:
        raise DFKDInputError(
            f'a teacher is dict(model=..., checkpoint=...), got keys '
            f'{sorted(cfg)}. Fix: move the architecture under `model`.')
    teacher, published = _build_model(cfg['model'])
    checkpoint = cfg.get('checkpoint') or published
    if cfg.get('init_random', False):
        checkpoint = None
    elif checkpoint is None:
        raise DFKDInputError(
            f'teacher {cfg["model"] if isinstance(cfg["model"], str) else cfg["model"].get("type")} '  # noqa: E501
            'has no checkpoint: a random teacher teaches nothing. Fix: '
            'set the teacher `checkpoint` to a path or URL.')
    return load_frozen(teacher, checkpoint, what='teacher')


def load_frozen(module: nn.Module,
                checkpoint: Optional[str],
                what: str = 'teacher',
                prefix: Optional[str] = None,
                trusted: bool = False) -> nn.Module:
    """Load ``module`` strictly from ``checkpoint``, then freeze it.

    Args:
        module (nn.Module): The built module (a teacher, a pre-trained
            generator).
        checkpoint (str, optional): Path or URL of its weights, read with
            ``weights_only=True``; None leaves the weights as they are
            (tests, speed benchmarks).
        what (str): Its role, to word the errors. Defaults to 'teacher'.
        prefix (str, optional): Keep only the keys under this prefix (e.g.
            ``'generator.'`` to take the generator out of a whole-algorithm
            checkpoint), with the prefix removed. Defaults to None.
        trusted (bool): Unpickle a local checkpoint in full (see
            :func:`load_state_dict_safely`). Defaults to False.

    Returns:
        nn.Module: ``module`` with ``requires_grad=False``, in eval mode and
        marked initialised so the Runner's ``init_weights`` skips it.
    """
    if checkpoint is not None:
        state = load_state_dict_safely(checkpoint, what=what,
                                       trusted=trusted)
        if prefix:
            state = {k[len(prefix):]: v for k, v in state.items()
                     if k.startswith(prefix)}
        try:
            module.load_state_dict(state, strict=True)
        except RuntimeError as e:
            detail = ' '.join(str(e).split())[:600]
            raise DFKDInputError(
                f'{what} checkpoint {checkpoint} does not fit the {what} '
                f'architecture ({detail}). Fix: point the checkpoint at '
                f'weights of this architecture, or change the {what} model '
                '(depth, num_classes, latent_dim, ...) to match the '
                'checkpoint.') from e
    module.requires_grad_(False)
    module.eval()
    module._is_init = True  # the Runner's init_weights must not touch it
    return module
