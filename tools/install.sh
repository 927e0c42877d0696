#!/usr/bin/env bash
# Install mmdfkd (editable) and what it needs, from the package registries.
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
