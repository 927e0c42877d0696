"""Import every mmdfkd module so its registries are filled."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register all mmdfkd modules (and mmpretrain's) into the registries.

    mmengine calls this for registries without ``locations``; scripts and
    tests may call it directly.

    Args:
        init_default_scope (bool): Set the default scope to ``mmdfkd`` too.
            Defaults to True.
    """
    import mmdfkd.algorithms  # noqa: F401,F403
    import mmdfkd.datasets  # noqa: F401,F403
    import mmdfkd.engine  # noqa: F401,F403
    import mmdfkd.evaluation  # noqa: F401,F403
    import mmdfkd.generators  # noqa: F401,F403
    import mmdfkd.hooks  # noqa: F401,F403
    import mmdfkd.losses  # noqa: F401,F403
    import mmdfkd.models  # noqa: F401,F403
    import mmdfkd.optim  # noqa: F401,F403
    import mmdfkd.synthesizers  # noqa: F401,F403
    from mmpretrain.utils import register_all_modules as register_mmpretrain
    register_mmpretrain(init_default_scope=False)
    if not init_default_scope:
        return
    never_created = DefaultScope.get_current_instance() is None \
        or not DefaultScope.check_instance_created('mmdfkd')
    if never_created:
        DefaultScope.get_instance('mmdfkd', scope_name='mmdfkd')
        return
    current_scope = DefaultScope.get_current_instance()
    if current_scope.scope_name != 'mmdfkd':
        warnings.warn('The current default scope '
                      f'"{current_scope.scope_name}" is not "mmdfkd", '
                      '`register_all_modules` will force the current '
                      'default scope to be "mmdfkd".')
        new_instance_name = f'mmdfkd-{datetime.datetime.now()}'
        DefaultScope.get_instance(new_instance_name, scope_name='mmdfkd')
