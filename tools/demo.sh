#!/usr/bin/env bash
# The offline digits demo on a fresh clone: install, train the LeNet-5
# teacher, distil LeNet-5-Half with DAFL and DFAD, print the table and write
# work_dirs/demo/summary.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh
exec "${PYTHON:-python3}" tools/demo.py "$@"
