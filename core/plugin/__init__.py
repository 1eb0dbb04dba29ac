"""The plugin system: hook specifications, the plugin manager, the component registry, declared
parameters, test helpers for plugin authors and the ``ganvas plugins new`` scaffold."""
