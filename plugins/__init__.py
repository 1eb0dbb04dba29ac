"""ganvas's built-in components, each a plugin registered through the same hooks as third-party ones."""

#: Modules loaded as plugins by every plugin manager, in this order.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "ganvas.plugins.methods",
    "ganvas.plugins.models",
    "ganvas.plugins.losses",
    "ganvas.plugins.regularizers",
    "ganvas.plugins.datasets",
    "ganvas.plugins.stylizers",
    "ganvas.plugins.augment",
    "ganvas.plugins.loggers",
    "ganvas.plugins.corruptions",
    "ganvas.plugins.eval_commands",
)
