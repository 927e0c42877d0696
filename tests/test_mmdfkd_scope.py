"""`mmdfkd::` configs resolve from the folder mmdfkd was imported from, so
an editable install (whose site-packages holds no package) works too."""
import os.path as osp

import mmdfkd


def test_mmdfkd_scope_resolves_to_the_imported_package(tmp_path):
    import mmengine.config.config as config_module
    from mmengine.config import Config
    from mmengine.hub import get_config
    here = osp.dirname(osp.abspath(mmdfkd.__file__))
    assert config_module.get_installed_path('mmdfkd') == here
    assert config_module.get_installed_path('mmengine') != here
    cfg_file = tmp_path / 'other_project.py'
    cfg_file.write_text("_base_ = ['mmdfkd::dfq/"
                        "dfq_lenet5-bn_lenet5-half_digits.py']\n")
    cfg = Config.fromfile(str(cfg_file))
    assert cfg.model.type == 'DFQ'  # a config newer than any installed copy
    assert get_config('mmdfkd::dfq/dfq_lenet5-bn_lenet5-half_digits.py'
                      ).model.type == 'DFQ'


def test_import_without_mmcv_is_one_line_naming_the_extra():
    """A bare `pip install .` has no mmcv (it is the `lite` extra): the
    import stops with one line naming the command."""
    import subprocess
    import sys
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    hide_mmcv = ('import importlib.util as u; f = u.find_spec; '
                 "u.find_spec = lambda n, *a: None if n == 'mmcv' "
                 'else f(n, *a); import mmdfkd')
    proc = subprocess.run([sys.executable, '-c', hide_mmcv], cwd=root,
                          capture_output=True, text=True, timeout=120,
                          env={'PYTHONPATH': root, 'PATH': '/usr/bin:/bin'})
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('ImportError: mmdfkd error: mmcv is not '
                           'installed. Fix: pip install "mmdfkd[lite]"')
