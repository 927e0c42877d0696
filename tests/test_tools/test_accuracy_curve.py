"""tools/analysis/accuracy_curve.py: wall time and top-1 from a run log."""
import pytest

from mmdfkd.analysis.accuracy_curve import accuracy_over_time, main
from mmdfkd.utils import DFKDInputError

LOG = """2026/12/02 00:00:00 - mmengine - INFO - Config:
2026/12/02 00:00:40 - mmengine - INFO - Iter(val) [2/2]    accuracy/top1: 50.5000  data_time: 0.01
2026/12/02 00:01:30 - mmengine - INFO - Iter(val) [2/2]    accuracy/top1: 90.2500  data_time: 0.01
2026/12/02 00:01:30 - mmengine - INFO - Iter(val) [2/2]    accuracy/top1: 90.2500  data_time: 0.01
"""  # noqa: E501


def test_accuracy_over_time(tmp_path):
    run = tmp_path / 'run' / '20261202_000000'
    run.mkdir(parents=True)
    (run / '20261202_000000.log').write_text(LOG)
    points = accuracy_over_time(str(tmp_path / 'run'))
    assert points == [(40.0, 50.5), (90.0, 90.25)]  # the repeat dropped
    out = tmp_path / 'curve.png'
    assert main([f'a={tmp_path / "run"}', '--out', str(out)]) == 0
    assert out.stat().st_size > 1000
    with pytest.raises(DFKDInputError, match='no run log'):
        accuracy_over_time(str(tmp_path))
