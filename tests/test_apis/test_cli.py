"""The one CLI error policy: a user error is one line and exit status 1, a
bug keeps its traceback."""
import os
import subprocess
import sys

import pytest

from mmdfkd.apis import cli_main
from mmdfkd.utils import DFKDInputError


@cli_main
def _tool(argv=None) -> int:
    """A tool whose argv[0] says what goes wrong."""
    what = (argv or ['ok'])[0]
    if what == 'user':
        raise DFKDInputError('the input is bad.\n Fix: give   a good one.')
    if what == 'missing':
        open('/nonexistent/mmdfkd/file.pth')
    if what == 'bug':
        raise KeyError('an internal bug')
    print('done')
    return 0


def test_user_error_is_one_line_and_exit_1(capsys):
    assert _tool(['user']) == 1
    out, err = capsys.readouterr()
    assert out == ''
    # exactly the message, whitespace collapsed, on one line
    assert err == 'mmdfkd error: the input is bad. Fix: give a good one.\n'


def test_missing_file_is_a_user_error(capsys):
    assert _tool(['missing']) == 1
    err = capsys.readouterr().err
    assert err.startswith('mmdfkd error: file not found: /nonexistent/')
    assert err.count('\n') == 1


def test_bug_is_re_raised(capsys):
    with pytest.raises(KeyError, match='an internal bug'):
        _tool(['bug'])
    assert 'mmdfkd error' not in capsys.readouterr().err


def test_success_passes_the_status_through(capsys):
    assert _tool(['ok']) == 0
    assert capsys.readouterr() == ('done\n', '')
    assert _tool.__name__ == '_tool' and 'argv[0]' in _tool.__doc__


def test_exit_status_and_traceback_of_a_script(tmp_path):
    """As a script (``sys.exit(main())``): status 1 and one line for a user
    error; a bug exits with Python's traceback and no `mmdfkd error` line."""
    script = tmp_path / 'tool.py'
    script.write_text(
        'import sys\n'
        'from mmdfkd.apis.cli import cli_main\n'
        'from mmdfkd.utils import DFKDInputError\n'
        '@cli_main\n'
        'def main(argv=None):\n'
        '    if sys.argv[1] == "user":\n'
        '        raise DFKDInputError("bad input. Fix: good input.")\n'
        '    raise ZeroDivisionError("a bug")\n'
        'sys.exit(main())\n')
    env = dict(os.environ)  # conftest: PYTHONPATH holds the checkout
    user = subprocess.run([sys.executable, str(script), 'user'], env=env,
                          capture_output=True, text=True, timeout=120)
    assert user.returncode == 1
    assert user.stderr == 'mmdfkd error: bad input. Fix: good input.\n'
    bug = subprocess.run([sys.executable, str(script), 'bug'], env=env,
                         capture_output=True, text=True, timeout=120)
    assert bug.returncode == 1  # Python's status for an uncaught exception
    assert 'Traceback (most recent call last)' in bug.stderr
    assert bug.stderr.strip().splitlines()[-1] == 'ZeroDivisionError: a bug'
    assert 'mmdfkd error' not in bug.stderr
