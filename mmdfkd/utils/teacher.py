"""Build frozen teachers from mmpretrain and load their weights safely.

A teacher is described by a dict::

    teacher = dict(
        model='resnet34_8xb16_cifar10',      # an mmpretrain zoo name,
        # model='mmpretrain::resnet/resnet34_8xb16_cifar10.py',  # a config,
        # model=dict(type='mmpretrain.ImageClassifier', ...),    # a model,
        checkpoint=None)  # path or URL; zoo names and configs default to the
                          # weights mmpretrain publishes for them

Weights are always read with ``torch.load(..., weights_only=True)`` and loaded
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

from .errors import DFKDInputError

CONVERT_HINT = ('If you trust the file (e.g. a checkpoint written by your own '
                'mmengine/mmpretrain run), convert it to a plain state dict '
                'with `python tools/model_converters/extract_weights.py '
                '{path} OUT.pth` and point `checkpoint` at OUT.pth.')


def _is_url(path: str) -> bool:
    return re.match(r'^https?://', path) is not None


def load_state_dict_safely(checkpoint: str) -> dict:
    """Read a state dict from a local path or URL with ``weights_only=True``.

    Args:
        checkpoint (str): Local path or http(s) URL. URLs are cached under
            ``$TORCH_HOME/hub/checkpoints`` (a file placed there by hand is
            used offline).

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
                    f'teacher checkpoint not found: {checkpoint}. Fix: train '
                    'the teacher first (python tools/train.py '
                    'configs/teachers/<its config>.py) or point the '
                    "teacher's `checkpoint` at an existing file "
                    '(--cfg-options model.teacher.checkpoint=PATH).')
            ckpt = torch.load(path, map_location='cpu', weights_only=True)
    except (urllib.error.URLError, OSError) as e:
        if isinstance(e, FileNotFoundError) or not _is_url(checkpoint):
            raise DFKDInputError(
                f'cannot read teacher checkpoint {checkpoint}: {e}') from e
        fname = osp.basename(checkpoint.split('?')[0])
        raise DFKDInputError(
            f'cannot download teacher weights {checkpoint} ({e}). Fix: '
            f'download it where a network exists and put it at '
            f'{osp.join(torch.hub.get_dir(), "checkpoints", fname)}, or set '
            'the teacher `checkpoint` to a local path.') from e
    except pickle.UnpicklingError as e:
        raise DFKDInputError(
            f'refusing to load teacher checkpoint {checkpoint}: it needs '
            'arbitrary unpickling, which could run code from the file '
            f'(torch.load weights_only=True failed: {str(e).splitlines()[0]})'
            '. ' + CONVERT_HINT.format(path=checkpoint)) from e
    except (RuntimeError, EOFError, ValueError) as e:  # empty, truncated
        raise DFKDInputError(
            f'teacher checkpoint {checkpoint} is not a readable PyTorch file '
            f'({(str(e) or type(e).__name__).splitlines()[0]}). Fix: point '
            '`checkpoint` at a .pth '
            'state dict.') from e
    if not isinstance(ckpt, dict):
        raise DFKDInputError(
            f'teacher checkpoint {checkpoint} holds a {type(ckpt).__name__}, '
            'not a state dict. Fix: save `model.state_dict()`.')
    state = ckpt.get('state_dict', ckpt)
    return {re.sub(r'^module\.', '', k): v for k, v in state.items()}


def _build_model(model: Union[str, dict]) -> (nn.Module, Optional[str]):
    """Build a teacher architecture; return it with its published weights."""
    from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
    from mmdfkd.registry import MODELS

    if isinstance(model, (dict, ConfigDict)):
        return MODELS.build(model), None
    if not isinstance(model, str):
        raise DFKDInputError(
            f'teacher `model` must be a zoo name, an mmpretrain:: config path '
            f'or a model dict, got {type(model).__name__}.')
    if model.endswith('.py'):
        if '::' in model:
            from mmengine.hub import get_config
            try:
                cfg = get_config(model, pretrained=True)
            except Exception:  # no metafile entry, hence no weights
                try:
                    cfg = get_config(model, pretrained=False)
                except (FileNotFoundError, ValueError, AssertionError) as e:
                    raise DFKDInputError(
                        f'teacher config {model} not found ({e}). Fix: use a '
                        'path under mmpretrain/configs, e.g. '
                        "'mmpretrain::resnet/resnet34_8xb16_cifar10.py'."
                    ) from e
        elif osp.isfile(model):
            cfg = Config.fromfile(model)
        else:
            raise DFKDInputError(f'teacher config {model} not found.')
        weights = cfg.get('model_path', None)
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            return MMPRETRAIN_MODELS.build(cfg.model), weights
    from mmpretrain.apis import ModelHub
    try:
        meta = ModelHub.get(model)
    except ValueError as e:
        raise DFKDInputError(
            f'unknown teacher name {model!r}: not in the mmpretrain zoo. Fix: '
            'pick a name from `python -c "import mmpretrain; '
            'print(mmpretrain.list_models())"` (e.g. '
            "'resnet34_8xb16_cifar10'), or give a model dict and a "
            'checkpoint.') from e
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MMPRETRAIN_MODELS.build(meta.config.model), meta.weights


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
    if not cfg.get('init_random', False):
        if checkpoint is None:
            raise DFKDInputError(
                f'teacher {cfg["model"] if isinstance(cfg["model"], str) else cfg["model"].get("type")} '  # noqa: E501
                'has no checkpoint: a random teacher teaches nothing. Fix: '
                'set the teacher `checkpoint` to a path or URL.')
        state = load_state_dict_safely(checkpoint)
        try:
            teacher.load_state_dict(state, strict=True)
        except RuntimeError as e:
            detail = ' '.join(str(e).split())[:600]
            raise DFKDInputError(
                f'teacher checkpoint {checkpoint} does not fit the teacher '
                f'architecture ({detail}). Fix: point `checkpoint` at weights '
                'of this architecture, or change the teacher model (depth, '
                'num_classes) to match the checkpoint.') from e
    teacher.requires_grad_(False)
    teacher.eval()
    teacher._is_init = True  # the Runner's init_weights must not touch it
    return teacher
