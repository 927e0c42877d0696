"""Turn a trusted checkpoint into a plain, weights-only state dict.

mmdfkd loads teacher and pretrained weights with
``torch.load(weights_only=True)``. Checkpoints written by an mmengine or
mmpretrain run also hold optimizer state and Python objects and are refused.
If you trust such a file (you trained it), convert it once:

    python tools/model_converters/extract_weights.py IN.pth OUT.pth

This loads IN.pth with full unpickling: never run it on a file you do not
trust. The logic lives in :mod:`mmdfkd.apis.extract_weights`.
"""
import sys

from mmdfkd.apis.extract_weights import main

if __name__ == '__main__':
    sys.exit(main())
