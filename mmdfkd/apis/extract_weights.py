"""Turn a trusted checkpoint into a plain, weights-only state dict.

    python tools/model_converters/extract_weights.py IN.pth OUT.pth \
        [--module student]

The logic of ``tools/model_converters/extract_weights.py``. IN.pth is loaded
with full unpickling: never run it on a file you do not trust. ``--module
student`` keeps only the student's weights, without the ``student.`` prefix
(what runs now write as ``student.pth``), for runs older than
:class:`~mmdfkd.hooks.ExportStudentHook`.
"""
import argparse
import re

import torch

from mmdfkd.utils import DFKDInputError, atomic_write
from .cli import cli_main


@cli_main
def main(argv=None) -> int:
    """Write ``{'state_dict': ...}`` of IN.pth to OUT.pth; returns the exit
    status."""
    parser = argparse.ArgumentParser(
        description='Turn a trusted checkpoint into a plain, weights-only '
        'state dict')
    parser.add_argument('src', help='trusted checkpoint')
    parser.add_argument('dst', help='output .pth (state dict only)')
    parser.add_argument('--module', help='keep only this submodule (e.g. '
                        'student), its prefix stripped')
    args = parser.parse_args(argv)
    ckpt = torch.load(args.src, map_location='cpu', weights_only=False)
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else ckpt
    if not isinstance(state, dict) or not all(
            torch.is_tensor(v) for v in state.values()):
        raise DFKDInputError(
            f'{args.src} has no state dict of tensors. Fix: pass a '
            'checkpoint holding `state_dict` (e.g. an iter_*.pth of a run) '
            'or a state dict itself.')
    if args.module:
        prefix = f'{args.module}.'
        state = {re.sub(r'(^|\.)module\.', r'\1', k[len(prefix):]): v
                 for k, v in state.items() if k.startswith(prefix)}
        if not state:
            raise DFKDInputError(
                f'{args.src} has no {prefix}* weights. Fix: check --module '
                '(e.g. student, generator).')
    with atomic_write(args.dst) as f:
        torch.save(dict(state_dict=state), f)
    print(f'{len(state)} tensors written to {args.dst}')
    return 0
