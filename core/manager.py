"""The plugin manager: built-in plugins, third-party entry points, and the component registry.

Third-party plugins come from the entry-point group ``ganvas``. Each one is loaded inside its own
try/except: a broken plugin costs one warning line naming it, never a crash.
``GANVAS_LOAD_PLUGINS=a,b`` loads only those entry points ('' loads none).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pluggy

from . import hookspecs
from .registry import KINDS, Component, Registry

__all__ = ["PluginHost", "PluginFailure", "get_host", "reset_host", "hookimpl"]

hookimpl = pluggy.HookimplMarker("ganvas")
ENTRY_POINT_GROUP = "ganvas"


@dataclass
class PluginFailure:
    """A third-party plugin that could not be loaded or whose hook failed."""

    name: str
    version: str
    error: str

    def warning(self) -> str:
        return (
            f"warning: plugin '{self.name}' ({self.version}) failed and was skipped: {self.error}. "
            f"Disable it with GANVAS_LOAD_PLUGINS or 'ganvas uninstall {self.name}'."
        )


@dataclass
class PluginInfo:
    name: str
    version: str
    builtin: bool
    hooks: list[str] = field(default_factory=list)


class PluginHost:
    """One pluggy ``PluginManager("ganvas")`` plus the registry its plugins filled."""

    def __init__(
        self,
        *,
        builtins: Iterable[str] | None = None,
        entry_points: bool = True,
        extra: Iterable[Any] = (),
        warn: bool = True,
    ) -> None:
        self.pm = pluggy.PluginManager("ganvas")
        self.pm.add_hookspecs(hookspecs)
        self.registry = Registry()
        self.failures: list[PluginFailure] = []
        self._versions: dict[str, str] = {}
        self._builtin: set[str] = set()
        if builtins is None:
            from ganvas.plugins import BUILTIN_PLUGINS

            builtins = BUILTIN_PLUGINS
        for module_name in builtins:
            module = importlib.import_module(module_name)
            self.pm.register(module, name=module_name)
            self._builtin.add(module_name)
            self._versions[module_name] = "builtin"
        if entry_points:
            self._load_entry_points()
        for plugin in extra:
            name = getattr(plugin, "__name__", None) or type(plugin).__name__
            self.pm.register(plugin, name=name)
            self._versions[name] = getattr(plugin, "__version__", "local")
        self._fill_registry()
        if warn:
            for failure in self.failures:
                print(failure.warning(), file=sys.stderr)

    # -- loading --------------------------------------------------------------------------

    def _load_entry_points(self) -> None:
        wanted_env = os.environ.get("GANVAS_LOAD_PLUGINS")
        wanted = None if wanted_env is None else {n.strip() for n in wanted_env.split(",") if n.strip()}
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if wanted is not None and ep.name not in wanted:
                continue
            version = ep.dist.version if ep.dist is not None else "unknown version"
            try:
                plugin = ep.load()
                self.pm.register(plugin, name=ep.name)
                self.pm.check_pending()
            except Exception as exc:  # a broken plugin must never break ganvas
                if self.pm.has_plugin(ep.name):
                    self.pm.unregister(name=ep.name)
                self.failures.append(PluginFailure(ep.name, version, _describe(exc)))
                continue
            self._versions[ep.name] = version

    def _fill_registry(self) -> None:
        for kind, hook_name in KINDS.items():
            hook = getattr(self.pm.hook, hook_name)
            for impl in hook.get_hookimpls():
                register = self.registry.register_fn(kind, impl.plugin_name)
                try:
                    impl.function(register=register)
                except Exception as exc:
                    if impl.plugin_name in self._builtin:
                        raise
                    self.registry.remove_plugin(impl.plugin_name)
                    self.pm.unregister(name=impl.plugin_name)
                    self.failures.append(
                        PluginFailure(
                            impl.plugin_name,
                            self._versions.get(impl.plugin_name, "unknown version"),
                            f"{hook_name}: {_describe(exc)}",
                        )
                    )

    # -- queries ----------------------------------------------------------------------------

    def get(self, kind: str, name: str) -> Component:
        return self.registry.get(kind, name)

    def plugins(self) -> list[PluginInfo]:
        infos = []
        for name, plugin in self.pm.list_name_plugin():
            if plugin is None:
                continue
            hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])
            infos.append(PluginInfo(name, self._versions.get(name, "?"), name in self._builtin, hooks))
        return sorted(infos, key=lambda i: (not i.builtin, i.name))

    def has_impls(self, hook_name: str) -> bool:
        """Whether any plugin implements ``hook_name`` (lets the trainer skip empty hooks)."""
        return bool(getattr(self.pm.hook, hook_name).get_hookimpls())


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


_HOST: PluginHost | None = None


def get_host() -> PluginHost:
    """The process-wide plugin host, created on first use."""
    global _HOST
    if _HOST is None:
        _HOST = PluginHost()
    return _HOST


def reset_host(host: PluginHost | None = None) -> None:
    """Replace (or clear) the process-wide host; tests use this to isolate plugins."""
    global _HOST
    _HOST = host
