"""NAYER's label-text embeddings: one text-encoder vector per class.

    python tools/nayer_embeddings.py (--classes FILE | --dataset NAME) \
        --out OUT.pt [--encoder open_clip|transformers] [--model NAME] \
        [--pretrained TAG] [--prompt 'a image of {}'] [--device cpu]

The logic of ``tools/nayer_embeddings.py``. FILE holds one class name a
line; NAME is a dataset class whose ``METAINFO['classes']`` are the names
(``CIFAR10``, ``mmpretrain.CIFAR100``, ...). The encoder is the user's
installed CLIP (open_clip: ``ViT-B-32`` / ``openai``; transformers:
``openai/clip-vit-base-patch32``), as in the paper. Writes a
``(K, D)`` float32 tensor for ``NAYERSynthesizer(embeddings=OUT.pt)``.
"""
import argparse
from typing import Callable, List, Optional, Sequence

import torch

from mmdfkd.utils import DFKDInputError, atomic_write
from .cli import cli_main

#: The paper's prompt (sic).
PROMPT = 'a image of {}'
TextEncoder = Callable[[List[str]], torch.Tensor]


def read_class_names(classes: Optional[str] = None,
                     dataset: Optional[str] = None) -> List[str]:
    """Class names from a text file (one a line, blank lines skipped) or a
    registered dataset's ``METAINFO['classes']``."""
    if classes is not None:
        with open(classes) as f:
            names = [line.strip() for line in f if line.strip()]
    else:
        from mmdfkd.registry import DATASETS
        cls = None
        for name in (dataset, f'mmpretrain.{dataset}'):
            try:
                cls = DATASETS.get(name)
            except (KeyError, ImportError):
                cls = None
            if cls is not None:
                break
        names = list(getattr(cls, 'METAINFO', {}).get('classes', ()))
        if not names:
            raise DFKDInputError(
                f'no dataset {dataset!r} with METAINFO classes is '
                'registered. Fix: e.g. --dataset CIFAR10, or --classes FILE.')
    if not names:
        raise DFKDInputError(
            f'{classes} holds no class name. Fix: one name a line.')
    return names


def build_text_encoder(kind: str = 'open_clip',
                       model: Optional[str] = None,
                       pretrained: Optional[str] = None,
                       device: str = 'cpu') -> TextEncoder:
    """``texts -> (len(texts), D)`` with the user's installed CLIP."""
    try:
        if kind == 'open_clip':
            import open_clip
        elif kind == 'transformers':
            import transformers
        else:
            raise DFKDInputError(
                f"unknown text encoder {kind!r}. Fix: --encoder open_clip or "
                '--encoder transformers.')
    except ImportError:
        raise DFKDInputError(
            f'the text encoder {kind!r} is not installed. Fix: pip install '
            f"{'open_clip_torch' if kind == 'open_clip' else 'transformers'}"
            ' (its weights download on first use).') from None
    if kind == 'open_clip':
        net, _, _ = open_clip.create_model_and_transforms(
            model or 'ViT-B-32', pretrained=pretrained or 'openai',
            device=device)
        tokenizer = open_clip.get_tokenizer(model or 'ViT-B-32')

        def encode(texts: List[str]) -> torch.Tensor:
            return net.encode_text(tokenizer(texts).to(device))
    else:
        name = model or 'openai/clip-vit-base-patch32'
        net = transformers.CLIPModel.from_pretrained(name).to(device)
        tokenizer = transformers.CLIPTokenizer.from_pretrained(name)

        def encode(texts: List[str]) -> torch.Tensor:
            tokens = tokenizer(texts, padding=True, return_tensors='pt')
            return net.get_text_features(**tokens.to(device))
    net.eval()
    return encode


@torch.no_grad()
def label_embeddings(class_names: Sequence[str], encode: TextEncoder,
                     prompt: str = PROMPT) -> torch.Tensor:
    """``(K, D)`` float32 embeddings of ``prompt.format(name)`` per class,
    as the encoder gives them (not normalised: NAYER's BatchNorm1d
    standardises them)."""
    if '{}' not in prompt:
        raise DFKDInputError(
            f'the prompt {prompt!r} has no {{}} for the class name. '
            "Fix: e.g. --prompt 'a image of {}'.")
    emb = encode([prompt.format(name) for name in class_names])
    emb = torch.as_tensor(emb).detach().float().cpu()
    if emb.shape[0] != len(class_names) or emb.dim() != 2:
        raise DFKDInputError(
            f'the text encoder gave {tuple(emb.shape)} for '
            f'{len(class_names)} classes. Fix: an encoder returning one '
            'vector per text.')
    return emb.contiguous()


@cli_main
def main(argv=None, encoder: Optional[TextEncoder] = None) -> int:
    """Write the embeddings; returns the exit status. ``encoder`` replaces
    the CLIP one (tests, other encoders)."""
    parser = argparse.ArgumentParser(
        description="NAYER's label-text embeddings, one vector per class")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--classes', help='text file, one class a line')
    source.add_argument('--dataset', help='dataset with METAINFO classes')
    parser.add_argument('--out', required=True, help='output .pt')
    parser.add_argument('--encoder', default='open_clip',
                        choices=['open_clip', 'transformers'])
    parser.add_argument('--model', help='encoder model name')
    parser.add_argument('--pretrained', help='open_clip weights tag')
    parser.add_argument('--prompt', default=PROMPT)
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args(argv)
    names = read_class_names(args.classes, args.dataset)
    if encoder is None:
        encoder = build_text_encoder(args.encoder, args.model,
                                     args.pretrained, args.device)
    emb = label_embeddings(names, encoder, args.prompt)
    with atomic_write(args.out) as f:
        torch.save(emb, f)
    print(f'{emb.shape[0]} x {emb.shape[1]} embeddings written to '
          f'{args.out}')
    return 0
