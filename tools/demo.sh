#!/usr/bin/env bash
# The offline digits demo on a fresh clone: install, train the LeNet-5 and
# LeNet-5-BN teachers, distil LeNet-5-Half students with CGDD, RDSKD,
# CDFKD-MFS and Fast-5, print the table and write work_dirs/demo/summary.json
# (mmdfkd/analysis/demo.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh
exec "${PYTHON:-python3}" tools/demo.py "$@"
