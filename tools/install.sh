#!/usr/bin/env bash
# Install mmdfkd and what it needs from the package registries into the
# interpreter $PYTHON (default python3: inside an activated virtualenv, the
# venv's). A regular install (`pip install -e ".[lite]"` also works,
# docs/get_started.md). tools/*.py then import this installed copy;
# reinstall after changing the code, or run the checkout with PYTHONPATH=$PWD.
# Keeps a full mmcv if one is installed; otherwise adds the `lite` extra
# (mmcv-lite: the same `mmcv` package without compiled ops). A plain
# `pip install .` has no mmcv, and `import mmdfkd` then says so in one line.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
extras="tests"
if ! "$PY" -c "import mmcv" >/dev/null 2>&1; then
    extras="$extras,lite"
fi
"$PY" -m pip install --quiet --disable-pip-version-check ".[${extras}]"
# Check the installed copy (sys.path[0] is the checkout; drop it).
"$PY" -c "import sys; sys.path.pop(0); import mmdfkd, mmpretrain, mmcv, torch; print('mmdfkd', mmdfkd.__version__, '| torch', torch.__version__, '| mmpretrain', mmpretrain.__version__, '| mmcv', mmcv.__version__)"
