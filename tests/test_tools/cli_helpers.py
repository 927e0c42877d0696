"""Bad-input helpers: the check that a bad input left the ``work_dir``
fixture (tests/test_tools/conftest.py) as it was, and the one-line-error
check."""
import os
import os.path as osp
import re

DAFL = 'configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py'
FMNIST_DAFL = 'configs/dafl/dafl_lenet5_lenet5-half_1xb128-3k_fashion-mnist.py'
_DUMPS = (DAFL, FMNIST_DAFL)
#: What the work_dir fixture writes: a checkpoint, its pointer, dumps.
EARLIER_FILES = ['iter_1000.pth', 'last_checkpoint'] + [
    osp.basename(c) for c in _DUMPS]


def untouched(d) -> bool:
    """``d`` holds what the ``work_dir`` fixture put there, unchanged, and
    nothing else but the failed run's own timestamped log folder."""
    return ((d / 'iter_1000.pth').read_bytes() == b'earlier checkpoint'
            and (d / 'last_checkpoint').read_text() == 'iter_1000.pth'
            and all((d / osp.basename(c)).read_text() == '# earlier config\n'
                    for c in _DUMPS)
            and all(p.name in EARLIER_FILES or (
                p.is_dir() and re.fullmatch(r'\d{8}_\d{6}', p.name))
                for p in d.iterdir()))


def one_error_line(main, argv, capsys) -> str:
    """Run a tool's ``main``: exit status 1, no traceback, exactly one
    ``mmdfkd error:`` line, which is returned."""
    code = main(argv)
    err = capsys.readouterr().err  # may also hold library warnings
    assert code == 1, err[-2000:]
    assert 'Traceback' not in err
    lines = [ln for ln in err.splitlines() if ln.startswith('mmdfkd error:')]
    assert len(lines) == 1, err[-2000:]
    assert '\x1b[' not in lines[0]  # no terminal colour codes
    log = os.environ.get('MMDFKD_ERROR_LOG')  # collects docs/bad_inputs.md
    if log:
        with open(log, 'a') as f:
            f.write(f'{os.environ.get("PYTEST_CURRENT_TEST", "")}\t'
                    f'{lines[0]}\n')
    return lines[0]
