"""tools/**/*.py are thin fronts: a docstring with the usage, ``main`` from
mmdfkd.apis / mmdfkd.analysis (behind the one CLI error policy), and the
``__main__`` guard; no sys.path edits."""
import ast
import glob
import importlib
import os.path as osp
import runpy
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FRONTS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'tools', '**', '*.py'), recursive=True))


def test_every_tool_is_covered():
    assert {'tools/train.py', 'tools/test.py', 'tools/generate.py',
            'tools/demo.py', 'tools/analysis/benchmark_throughput.py',
            'tools/model_converters/extract_weights.py'} <= set(FRONTS)
    assert not glob.glob(osp.join(ROOT, 'tools', '**', 'run_logs.py'),
                         recursive=True)  # library code lives in mmdfkd


@pytest.mark.parametrize('path', FRONTS)
def test_front_is_thin(path):
    source = open(osp.join(ROOT, path)).read()
    assert 'sys.path' not in source
    tree = ast.parse(source)
    assert path in ast.get_docstring(tree)  # the usage names the tool
    kinds = [type(node).__name__ for node in tree.body]
    assert kinds == ['Expr', 'Import', 'ImportFrom', 'If'], kinds
    target = tree.body[2]
    assert [alias.name for alias in target.names] == ['main']
    assert target.module.startswith(('mmdfkd.apis.', 'mmdfkd.analysis.'))
    main = importlib.import_module(target.module).main
    assert main.__wrapped__.__module__ == target.module  # under cli_main
    assert ast.unparse(tree.body[3]) == (
        "if __name__ == '__main__':\n    sys.exit(main())")


@pytest.mark.parametrize('path', FRONTS)
def test_front_runs_as_a_script(path, monkeypatch, capsys):
    monkeypatch.setattr(sys, 'argv', [path, '--help'])
    with pytest.raises(SystemExit) as exit_:
        runpy.run_path(osp.join(ROOT, path), run_name='__main__')
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith('usage: ')
