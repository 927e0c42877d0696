"""NAYER's label-text embeddings of a data set's classes.

    python tools/nayer_embeddings.py (--classes FILE | --dataset NAME) \
        --out OUT.pt [--encoder open_clip|transformers] [--model NAME] \
        [--pretrained TAG] [--prompt 'a image of {}'] [--device cpu]

Writes a (K, D) tensor for ``NAYERSynthesizer(embeddings=OUT.pt)``. The
logic lives in :mod:`mmdfkd.apis.label_embeddings`.
"""
import sys

from mmdfkd.apis.label_embeddings import main

if __name__ == '__main__':
    sys.exit(main())
