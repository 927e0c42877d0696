#!/usr/bin/env bash
# Install mmdfkd (a regular, non-editable install: an editable one breaks
# mmengine's `mmdfkd::` config scope) and what it needs, from the package
# registries. tools/*.py then import this installed copy; reinstall after
# changing the code, or run the checkout with PYTHONPATH=$PWD.
# Keeps a full mmcv if one is installed; otherwise installs mmcv-lite (the
# same `mmcv` package without compiled ops).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
extras="tests"
if ! "$PY" -c "import mmcv" >/dev/null 2>&1; then
    extras="$extras,lite"
fi
"$PY" -m pip install --quiet --disable-pip-version-check ".[${extras}]"
"$PY" -c "import mmdfkd, mmpretrain, mmcv, torch; print('mmdfkd', mmdfkd.__version__, '| torch', torch.__version__, '| mmpretrain', mmpretrain.__version__, '| mmcv', mmcv.__version__)"
