"""The plugin manager: built-in plugins, third-party plugins, and the component registry they fill.

Plugins come from three places: the built-ins (``ganvas.plugins``), installed distributions
that declare an entry point in the ``ganvas`` group, and single ``.py`` files in a
``--plugins-dir``. Each third-party plugin is loaded and registered in isolation: a plugin that
fails to import, implements a misspelled hook, raises inside a hook or registers something
invalid (a bad :class:`~ganvas.Param`, a duplicate name, a non-callable factory) is dropped
whole and costs one warning line naming it, its version and how to disable it.

``GANVAS_LOAD_PLUGINS=a,b`` loads only those entry points ('' loads none);
``GANVAS_STRICT_PLUGINS=1`` turns any plugin failure into an error (for plugin authors and CI).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from ganvas.errors import GanvasError
from ganvas.plugin import hookspecs
from ganvas.plugin.loading import call, check_hooks, describe, hook_names, import_file, same
from ganvas.plugin.registry import BUILTIN_SCOPE, KINDS, Component, Registry

if TYPE_CHECKING:
    import click

__all__ = [
    "PluginHost",
    "PluginInfo",
    "PluginFailure",
    "PluginLoadError",
    "get_host",
    "reset_host",
    "hookimpl",
    "ENTRY_POINT_GROUP",
    "load_only_hint",
]

hookimpl = pluggy.HookimplMarker("ganvas")
ENTRY_POINT_GROUP = "ganvas"
LOAD_ENV = "GANVAS_LOAD_PLUGINS"
STRICT_ENV = "GANVAS_STRICT_PLUGINS"

#: Where a plugin came from.
BUILTIN, ENTRY_POINT, FILE, EXTRA = "built-in", "entry point", "file", "passed in"


@dataclass
class PluginFailure:
    """A third-party plugin that could not be loaded, or whose hook failed, and was skipped."""

    name: str
    version: str
    error: str
    dist: str | None = None
    origin: str = ENTRY_POINT
    location: str | None = None
    #: How to disable it, e.g. ``GANVAS_LOAD_PLUGINS='a,b' or ganvas uninstall ganvas-x``.
    disable: str = ""
    exception: BaseException | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        """``'neon' (ganvas-neon 0.2.0)``: the plugin, its distribution and version."""
        where = f"{self.dist} {self.version}" if self.dist else self.location or self.version
        return f"'{self.name}' ({where})"

    def warning(self) -> str:
        text = f"warning: plugin {self.label} failed and was skipped: {self.error}"
        return f"{text}; to disable it: {self.disable}" if self.disable else text


@dataclass
class PluginInfo:
    """A loaded plugin: name, version, where it came from and the hooks it implements."""

    name: str
    version: str
    builtin: bool
    hooks: list[str] = field(default_factory=list)
    dist: str | None = None
    origin: str = BUILTIN
    #: The file of a ``--plugins-dir`` plugin.
    location: str | None = None


class PluginLoadError(GanvasError):
    """Plugins failed while ``GANVAS_STRICT_PLUGINS`` (or ``strict=True``) was set (exit code 1)."""

    def __init__(self, failures: list[PluginFailure], hint: str = "") -> None:
        self.failures = list(failures)
        if len(self.failures) == 1:
            head = f"plugin {self.failures[0].label} failed: {self.failures[0].error}"
        else:
            head = f"{len(self.failures)} plugins failed: " + "; ".join(f"{f.label}: {f.error}" for f in self.failures)
        super().__init__(f"{head} ({hint})" if hint else head)


def strict_from_env() -> bool:
    """Whether ``GANVAS_STRICT_PLUGINS`` asks for strict plugin loading."""
    return os.environ.get(STRICT_ENV, "").strip().lower() not in ("", "0", "false", "no", "off")


def load_only_hint(keep: Iterable[str]) -> str:
    """``GANVAS_LOAD_PLUGINS='a,b' (loads only a, b)``: how to load just the plugins ``keep``."""
    keep = sorted(keep)
    if not keep:
        return f"{LOAD_ENV}='' (loads no third-party plugins)"
    return f"{LOAD_ENV}='{','.join(keep)}' (loads only {', '.join(keep)})"


def normalize_dist_name(name: str) -> str:
    """PEP 503 normalisation: ``Ganvas_Neon`` and ``ganvas.neon`` are both ``ganvas-neon``."""
    return re.sub(r"[-_.]+", "-", name).lower()


class PluginHost:
    """One pluggy ``PluginManager("ganvas")`` plus the registry its plugins filled.

    ``builtins`` defaults to :data:`ganvas.plugins.BUILTIN_PLUGINS`; ``entry_points`` loads the
    installed ``ganvas`` entry points (filtered by ``GANVAS_LOAD_PLUGINS``); ``plugins_dirs``
    loads every ``*.py`` file in those folders as a plugin named after the file; ``extra`` are
    plugin objects or modules registered directly (tests). ``strict`` (default: the
    ``GANVAS_STRICT_PLUGINS`` variable) raises :class:`PluginLoadError` instead of skipping a
    broken plugin; ``warn`` prints one line per skipped plugin to stderr.
    """

    def __init__(
        self,
        *,
        builtins: Iterable[str] | None = None,
        entry_points: bool = True,
        extra: Iterable[Any] = (),
        plugins_dirs: Iterable[str | Path] = (),
        warn: bool = True,
        strict: bool | None = None,
    ) -> None:
        self.pm = pluggy.PluginManager("ganvas")
        self.pm.add_hookspecs(hookspecs)
        self.registry = Registry()
        self.failures: list[PluginFailure] = []
        self.plugins_dirs: list[Path] = []
        self.warn = warn
        self.strict = strict_from_env() if strict is None else strict
        self._strict_hint = (
            f"{STRICT_ENV} is set: unset it to skip broken plugins with a warning" if strict is None else ""
        )
        self._info: dict[str, PluginInfo] = {}
        #: plugin -> the ``ganvas`` commands its ``register_commands`` added
        self.commands: dict[str, list[str]] = {}
        if builtins is None:
            from ganvas.plugins import BUILTIN_PLUGINS

            builtins = BUILTIN_PLUGINS
        for module_name in builtins:  # a broken built-in is a bug in ganvas: let it raise
            self.pm.register(importlib.import_module(module_name), name=module_name)
            self._info[module_name] = PluginInfo(module_name, "built-in", True)
        if entry_points:
            self._load_entry_points()
        for directory in plugins_dirs:
            self._load_dir(Path(directory))
        for plugin in extra:
            name = getattr(plugin, "__name__", None) or type(plugin).__name__
            version = str(getattr(plugin, "__version__", "local"))
            self._add(name, functools.partial(same, plugin), PluginInfo(name, version, False, origin=EXTRA))
        self._fill_registry(None)
        self._report(0)

    # -- loading --------------------------------------------------------------------------

    def _load_entry_points(self) -> None:
        wanted_env = os.environ.get(LOAD_ENV)
        wanted = None if wanted_env is None else {n.strip() for n in wanted_env.split(",") if n.strip()}
        wanted_dists = {normalize_dist_name(w) for w in wanted or ()}
        found: set[str] = set()
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            found |= {ep.name, normalize_dist_name(ep.dist.name)} if ep.dist is not None else {ep.name}
            dist = ep.dist.name if ep.dist is not None else None
            if (
                wanted is not None
                and ep.name not in wanted
                and (dist is None or normalize_dist_name(dist) not in wanted_dists)
            ):
                continue
            version = ep.dist.version if ep.dist is not None else "unknown version"
            self._add(ep.name, ep.load, PluginInfo(ep.name, version, False, dist=dist, origin=ENTRY_POINT))
        unknown = sorted(w for w in wanted or () if w not in found and normalize_dist_name(w) not in found)
        if unknown and self.warn:
            print(
                f"warning: {LOAD_ENV} names {', '.join(repr(u) for u in unknown)}, which no installed plugin "
                f"is called; installed: {', '.join(sorted(found)) or '(none)'}",
                file=sys.stderr,
            )

    def _load_dir(self, directory: Path) -> list[str]:
        """Load every ``*.py`` file in ``directory`` as a plugin named after the file."""
        directory = directory.expanduser().resolve()
        if not directory.is_dir():
            raise GanvasError(f"--plugins-dir '{directory}' is not a folder")
        self.plugins_dirs.append(directory)
        added = []
        for path in sorted(directory.glob("*.py")):
            if path.name.startswith(("_", ".")):
                continue
            info = PluginInfo(path.stem, "local file", False, origin=FILE, location=str(path))
            added += self._add(path.stem, functools.partial(import_file, path), info)
        return added

    def add_plugins_dir(self, directory: str | Path) -> None:
        """Load a ``--plugins-dir`` after start-up (their components register; their commands cannot)."""
        start = len(self.failures)
        names = self._load_dir(Path(directory))
        self._fill_registry(set(names))
        self._report(start)

    def _add(self, name: str, load: Callable[[], Any], info: PluginInfo) -> list[str]:
        """Load and register one third-party plugin in isolation; returns ``[name]`` on success."""
        registered = False
        try:
            if self.pm.has_plugin(name) or name in self._info:
                raise ValueError(f"another plugin is already called '{name}'")
            plugin = load()
            if info.origin == FILE:
                info.version = str(getattr(plugin, "__version__", info.version))
            self.pm.register(plugin, name=name)
            registered = True
            check_hooks(self.pm, plugin)
        except Exception as exc:  # a broken plugin must never break ganvas
            if registered:
                self.pm.unregister(name=name)
            self._fail(info, describe(exc), exc)
            return []
        self._info[name] = info
        return [name]

    def _fill_registry(self, only: set[str] | None) -> None:
        """Call each plugin's ``register_<kind>`` hooks; a plugin whose hook fails is dropped whole."""
        for kind, hook_name in KINDS.items():
            for impl in self._ordered(getattr(self.pm.hook, hook_name).get_hookimpls()):
                if only is not None and impl.plugin_name not in only:
                    continue
                if not self.pm.has_plugin(impl.plugin_name):
                    continue  # dropped by an earlier hook
                scope = BUILTIN_SCOPE if self._is_builtin(impl.plugin_name) else impl.plugin_name
                register = self.registry.register_fn(kind, impl.plugin_name, scope)
                try:
                    call(impl, register=register)
                except Exception as exc:
                    if self._is_builtin(impl.plugin_name):
                        raise
                    self._drop(impl.plugin_name, f"{hook_name}: {describe(exc)}", exc)

    def add_commands(self, cli: click.Group) -> None:
        """Call every plugin's ``register_commands(cli)``, each in isolation.

        A plugin may add commands and groups; one whose hook raises, or that replaces a command
        already there (``ganvas uninstall`` must keep working), is dropped with a warning.
        """
        start = len(self.failures)
        for impl in self._ordered(self.pm.hook.register_commands.get_hookimpls()):
            before = dict(cli.commands)
            try:
                call(impl, cli=cli)
                replaced = sorted(n for n, cmd in before.items() if cli.commands.get(n) is not cmd)
                if replaced:
                    raise ValueError(f"it replaces the existing command 'ganvas {replaced[0]}'")
                self.commands[impl.plugin_name] = sorted(set(cli.commands) - set(before))
            except Exception as exc:
                if self._is_builtin(impl.plugin_name):
                    raise
                cli.commands.clear()
                cli.commands.update(before)
                self._drop(impl.plugin_name, f"register_commands: {describe(exc)}", exc)
        self._report(start)

    def _ordered(self, impls: list[Any]) -> list[Any]:
        # built-ins first, then third-party plugins in load order, whatever tryfirst/trylast say:
        # a plugin must never be able to take a built-in's name and break it
        return sorted(impls, key=lambda impl: not self._is_builtin(impl.plugin_name))

    def _is_builtin(self, name: str) -> bool:
        info = self._info.get(name)
        return info is not None and info.builtin

    def _drop(self, name: str, error: str, exc: BaseException) -> None:
        self.registry.remove_plugin(name)
        if self.pm.has_plugin(name):
            self.pm.unregister(name=name)
        self._fail(self._info.pop(name), error, exc)

    def _fail(self, info: PluginInfo, error: str, exc: BaseException) -> None:
        failure = PluginFailure(info.name, info.version, error, info.dist, info.origin, info.location, exception=exc)
        self.failures.append(failure)
        self.registry.failed_plugins[f"plugin {failure.label}"] = error

    def _report(self, start: int) -> None:
        """Warn about (or, when strict, raise for) the failures recorded since ``start``."""
        new = self.failures[start:]
        if not new:
            return
        for failure in new:
            failure.disable = self._disable_hint(failure)
        if self.strict:
            raise PluginLoadError(new, self._strict_hint) from new[0].exception
        if self.warn:
            for failure in new:
                print(failure.warning(), file=sys.stderr)

    def _disable_hint(self, failure: PluginFailure) -> str:
        if failure.origin == FILE:
            return f"move {Path(failure.location or '').name} out of the --plugins-dir folder"
        if failure.origin == EXTRA:
            return f"stop passing it in ({LOAD_ENV} filters only installed entry points)"
        others = sorted(i.name for i in self._info.values() if i.origin == ENTRY_POINT)
        hint = load_only_hint(others)
        return hint + (f" or ganvas uninstall {failure.dist}" if failure.dist else "")

    # -- queries ----------------------------------------------------------------------------

    def get(self, kind: str, name: str) -> Component:
        return self.registry.get(kind, name)

    def plugins(self) -> list[PluginInfo]:
        """The loaded plugins: built-ins first, then third-party ones by name."""
        infos = []
        for name, info in self._info.items():
            plugin = self.pm.get_plugin(name)
            if plugin is not None:
                info.hooks = hook_names(self.pm, plugin)
                infos.append(info)
        return sorted(infos, key=lambda i: (not i.builtin, i.name))

    def blame(self, exc: BaseException) -> str | None:
        """``plugin 'x' (dist 1.0)`` when the innermost frames of ``exc`` that are plugin code belong
        to a loaded plugin (its module, package or the class of a plugin object), else None."""
        roots: list[tuple[str, str]] = []
        for name, info in self._info.items():
            plugin = self.pm.get_plugin(name)
            module = plugin if isinstance(plugin, ModuleType) else sys.modules.get(type(plugin).__module__)
            file = getattr(module, "__file__", None)
            if file:
                root = str(Path(file).parent) if Path(file).name == "__init__.py" else str(Path(file).with_suffix(""))
                where = f"{info.dist} {info.version}" if info.dist else info.version
                roots.append((root, f"plugin '{name}' ({where})"))
        tb, found = exc.__traceback__, None
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            for root, label in sorted(roots, key=lambda r: -len(r[0])):
                if filename == root + ".py" or filename.startswith(root + os.sep):
                    found = label
                    break
            tb = tb.tb_next
        return found

    def components_of(self, plugin: str) -> list[Component]:
        """Everything ``plugin`` registered, in ``ganvas list`` order."""
        return [c for c in self.registry.components() if c.plugin == plugin]

    def has_impls(self, hook_name: str) -> bool:
        """Whether any plugin implements ``hook_name`` (lets the trainer skip empty hooks)."""
        return bool(getattr(self.pm.hook, hook_name).get_hookimpls())


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
