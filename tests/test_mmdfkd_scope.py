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
