"""Start-up time of a resumed run against the iteration it resumes at.

    python tools/analysis/benchmark_resume.py CONFIG [--iters N [N ...]]
        [--loop mmdfkd|mmengine|both] [--repeats R] [--work-dir DIR]
        [--cfg-options KEY=VALUE ...]

The settings and the table are described in
:mod:`mmdfkd.analysis.benchmark_resume`, where the logic lives.
"""
import sys

from mmdfkd.analysis.benchmark_resume import main

if __name__ == '__main__':
    sys.exit(main())
