"""The offline digits demo: the teachers, CGDD, RDSKD, CDFKD-MFS and Fast-5
students, one table.

    python tools/demo.py [--work-dir work_dirs/demo] [--jobs 2] \
        [--amp | --no-amp]

Run from the repository root (``bash tools/demo.sh`` installs mmdfkd first).
Writes ``{work_dir}/summary.json``. The logic lives in
:mod:`mmdfkd.analysis.demo`.
"""
import sys

from mmdfkd.analysis.demo import main

if __name__ == '__main__':
    sys.exit(main())
