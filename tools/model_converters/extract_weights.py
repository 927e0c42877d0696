"""Turn a trusted checkpoint into a plain, weights-only state dict.

mmdfkd loads teacher and pretrained weights with
``torch.load(weights_only=True)``. Checkpoints written by an mmengine or
mmpretrain run also hold optimizer state and Python objects and are refused.
If you trust such a file (you trained it), convert it once:

    python tools/model_converters/extract_weights.py IN.pth OUT.pth

This loads IN.pth with full unpickling: never run it on a file you do not
trust.
"""
import argparse
import sys

import torch


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='trusted checkpoint')
    parser.add_argument('dst', help='output .pth (state dict only)')
    args = parser.parse_args(argv)
    ckpt = torch.load(args.src, map_location='cpu', weights_only=False)
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else ckpt
    if not isinstance(state, dict) or not all(
            torch.is_tensor(v) for v in state.values()):
        print(f'error: {args.src} has no state dict of tensors',
              file=sys.stderr)
        return 1
    torch.save(dict(state_dict=state), args.dst)
    print(f'{len(state)} tensors written to {args.dst}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
