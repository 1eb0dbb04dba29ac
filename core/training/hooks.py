"""Lifecycle hooks during training, called one by one so a failure has a name.

Two things listen to a run: plugins' global lifecycle hooks (``on_step_end`` and the rest, on
every run) and the recipe's ``[[callbacks]]`` (components a recipe opts into, with parameters;
each is an object with any of the same methods). Plugin hooks run first, in pluggy's order, then
the callbacks in recipe order.

A hook that raises stops the run with a checkpoint and an error naming who failed and in which
hook (reason ``crashed``); with ``GANVAS_HOOK_ERRORS=warn`` the failing hook is switched off for
the rest of the run, one warning line says so, and training goes on.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ganvas.errors import GanvasError
from ganvas.plugin.loading import call, describe

if TYPE_CHECKING:
    from ganvas.plugin.manager import PluginHost

__all__ = ["HookRunner", "HookFailed", "HOOK_ERRORS_ENV", "LIFECYCLE_HOOKS", "Listener"]

HOOK_ERRORS_ENV = "GANVAS_HOOK_ERRORS"

#: The lifecycle hooks, in the order a run calls them.
LIFECYCLE_HOOKS = ("on_train_start", "on_step_end", "on_sample", "on_checkpoint", "on_train_end")


class HookFailed(GanvasError):
    """A plugin's lifecycle hook or a recipe callback raised; the loop saves a checkpoint and reports it."""

    def __init__(self, who: str, hook: str, exc: BaseException, disable: str = "") -> None:
        self.who, self.hook, self.error, self.disable = who, hook, describe(exc), disable
        super().__init__(f"{who} failed in hook {hook}: {self.error}")


@dataclass
class Listener:
    """One callable answering one lifecycle hook: a plugin's hook or a callback's method."""

    who: str  # "plugin 'x'" or "callback 'y' (plugin 'x')"
    hook: str
    fn: Callable[..., Any]
    disable: str  # how to leave it out


def _taking(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` called with just the hook arguments it names (as pluggy calls hooks)."""
    params = inspect.signature(method).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return method
    return lambda **kwargs: method(**{k: v for k, v in kwargs.items() if k in params})


class HookRunner:
    """Calls one lifecycle hook's listeners, each in its own try.

    ``callbacks`` are ``(label, plugin, object)`` triples built from the recipe's ``[[callbacks]]``.
    """

    def __init__(self, host: PluginHost, callbacks: Sequence[tuple[str, str, Any]] = ()) -> None:
        self.host = host
        self.callbacks = list(callbacks)
        self.warn_only = os.environ.get(HOOK_ERRORS_ENV, "").strip().lower() == "warn"
        self.disabled: set[tuple[str, str]] = set()
        self._built: dict[str, list[Listener]] = {}

    def listeners(self, name: str) -> list[Listener]:
        """The listeners still enabled: plugin hooks in the order pluggy calls them (last
        registered first), then the recipe's callbacks in order (built once per hook: this is on
        the per-step path)."""
        if name not in self._built:
            self._built[name] = self._build(name)
        return [listener for listener in self._built[name] if (listener.who, name) not in self.disabled]

    def _build(self, name: str) -> list[Listener]:
        found = []
        for impl in reversed(getattr(self.host.pm.hook, name).get_hookimpls()):
            found.append(
                Listener(
                    f"plugin '{impl.plugin_name}'",
                    name,
                    lambda _impl=impl, **kw: call(_impl, **kw),
                    "leave the plugin out with GANVAS_LOAD_PLUGINS",
                )
            )
        for label, plugin, obj in self.callbacks:
            method = getattr(obj, name, None)
            if callable(method):
                found.append(
                    Listener(
                        f"callback '{label}' (plugin '{plugin}')", name, _taking(method), "remove it from [[callbacks]]"
                    )
                )
        return found

    def caller(self, name: str) -> Any:
        """A function calling hook ``name``, or None when nothing listens to it (costs nothing)."""
        if not self.listeners(name):
            return None
        return lambda **kwargs: self.call(name, **kwargs)

    def call(self, name: str, **kwargs: Any) -> None:
        for listener in self.listeners(name):
            try:
                listener.fn(**kwargs)
            except Exception as exc:  # plugin code: name it
                if not self.warn_only:
                    raise HookFailed(listener.who, name, exc, listener.disable) from exc
                self.disabled.add((listener.who, name))
                print(
                    f"warning: {listener.who} failed in hook {name}: {describe(exc)}; "
                    f"that hook is off for the rest of this run ({HOOK_ERRORS_ENV}=warn)",
                    file=sys.stderr,
                )
