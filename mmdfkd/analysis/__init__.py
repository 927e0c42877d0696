"""The top layer beside :mod:`mmdfkd.apis`: the logic of tools/demo.py and
tools/analysis/*.py (benchmarks against the official loops, seed runs,
robustness sweeps, generator diversity).

Every tool is a submodule with a ``main(argv=None) -> int``, imported on
demand. Config paths the tools take are relative to the working directory:
run them from the repository root.
"""
