"""The package's layers (docs/design.md): each subpackage imports only the
layers below it, and ``mmdfkd.utils`` imports nothing else of mmdfkd."""
import json
import subprocess
import sys

import mmdfkd
import pytest

#: What each subpackage may pull in (besides itself), bottom to top.
ALLOWED = {
    'utils': set(),
    'registry': set(),
    'models': {'registry', 'utils'},
    'losses': {'registry', 'utils'},
    'datasets': {'registry', 'utils'},
    'evaluation': {'registry', 'utils'},
    'optim': {'registry', 'utils'},
    'engine': {'registry', 'utils'},
    'synthesizers': {'registry', 'utils'},
    'generators': {'registry', 'utils', 'synthesizers'},
    'algorithms': {'registry', 'utils', 'models', 'synthesizers',
                   'generators', 'losses'},
    'hooks': {'registry', 'utils', 'synthesizers', 'engine'},
}

PROBE = ('import json, sys; import mmdfkd.{sub}; print(json.dumps(sorted('
         "{{m.split('.')[1] for m in sys.modules if m.startswith('mmdfkd.')}}"
         " - {{'{sub}', 'version'}})))")


def _pulled_in() -> dict:
    """Import each subpackage in a fresh interpreter; what came with it."""
    import pkgutil
    subs = sorted(m.name for m in pkgutil.iter_modules(mmdfkd.__path__)
                  if m.ispkg or m.name == 'registry')
    found = {}
    for sub in subs:
        out = subprocess.run(
            [sys.executable, '-c', PROBE.format(sub=sub)],
            capture_output=True, text=True, check=True)
        found[sub] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


@pytest.mark.slow
def test_every_subpackage_imports_only_lower_layers():
    found = _pulled_in()
    assert set(ALLOWED) <= set(found), 'a layer of the table is missing'
    assert found['utils'] == []
    for sub, pulled in found.items():
        if sub in ALLOWED:
            assert set(pulled) <= ALLOWED[sub], (sub, pulled)
    # no circle: if a pulls in b, b does not pull in a
    for a, pulled in found.items():
        for b in pulled:
            assert a not in found.get(b, []), f'{a} <-> {b}'
