"""The plugin system: hook specifications, the plugin manager, the component registry, declared
parameters, test helpers for plugin authors and the ``ganvas plugins new`` scaffold.

Public for plugins: the modules ``ganvas.plugin.hookspecs`` (every hook) and
``ganvas.plugin.testing`` (test helpers), and the names below (imported on first use).
"""

from ganvas._lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "manager": ["PluginHost", "get_host", "hookimpl", "ENTRY_POINT_GROUP"],
        "registry": ["Component", "RegisterFn", "KINDS"],
        "params": ["Param"],
        "traits": ["Shapes"],
    },
    globals(),
)
