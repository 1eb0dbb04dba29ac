"""Loading one plugin and calling its hooks the way pluggy would: single-file imports, hook-name
checks with suggestions, and the one-line description of what went wrong."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pluggy

from ganvas.errors import closest, did_you_mean
from ganvas.plugin import hookspecs

__all__ = ["same", "call", "hook_names", "check_hooks", "import_file", "describe"]


def same(value: Any) -> Any:
    return value


def call(impl: Any, **kwargs: Any) -> Any:
    """Call one hook implementation the way pluggy would (it may take fewer arguments)."""
    return impl.function(*(kwargs[name] for name in impl.argnames))


def hook_names(pm: pluggy.PluginManager, plugin: Any) -> list[str]:
    return sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])


def check_hooks(pm: pluggy.PluginManager, plugin: Any) -> None:
    """Reject misspelled hook names (with a suggestion) and plugins that implement no hook."""
    valid = [name for name in dir(hookspecs) if hasattr(getattr(hookspecs, name), "ganvas_spec")]
    for caller in pm.get_hookcallers(plugin) or []:
        if not caller.has_spec() and any(
            impl.plugin is plugin and not impl.optionalhook for impl in caller.get_hookimpls()
        ):
            suggestion = closest(caller.name, valid)
            hint = f"did you mean '{suggestion}'? " if suggestion else ""
            raise ValueError(
                f"unknown hook '{caller.name}'; {hint}(every hook: ganvas.plugin.hookspecs; "
                f"{did_you_mean(caller.name, valid)})"
            )
    pm.check_pending()
    if not hook_names(pm, plugin):
        raise ValueError("it implements no hook (decorate its hook functions with @ganvas.hookimpl)")


def import_file(path: Path) -> Any:
    """Import a single-file plugin as a top-level module named after the file."""
    name = path.stem
    if not name.isidentifier():
        raise ValueError(f"'{path.name}': a plugin file name must be a Python identifier, e.g. my_glow.py")
    existing = sys.modules.get(name)
    if existing is None or getattr(existing, "__file__", None) != str(path):
        found = importlib.util.find_spec(name) if existing is None else existing.__spec__
        if found is not None and found.origin != str(path):
            raise ValueError(f"'{path.name}' would shadow the module '{name}' ({found.origin}); rename the file")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None  # a .py path always has a loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # so that lazy "name:attr" factories import it
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def describe(exc: BaseException) -> str:
    """One line: ``ModuleNotFoundError: No module named 'x'``."""
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
