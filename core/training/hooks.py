"""Lifecycle hooks during training, called plugin by plugin so a failure has a name.

A hook that raises stops the run with a checkpoint and an error naming the plugin and the hook
(reason ``crashed``); with ``GANVAS_HOOK_ERRORS=warn`` the failing hook is switched off for the
rest of the run, one warning line says so, and training goes on.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from ganvas.errors import GanvasError
from ganvas.plugin.loading import call, describe

if TYPE_CHECKING:
    from ganvas.plugin.manager import PluginHost

__all__ = ["HookRunner", "HookFailed", "HOOK_ERRORS_ENV"]

HOOK_ERRORS_ENV = "GANVAS_HOOK_ERRORS"


class HookFailed(GanvasError):
    """A plugin's lifecycle hook raised; the loop saves a checkpoint and reports it."""

    def __init__(self, plugin: str, hook: str, exc: BaseException) -> None:
        self.plugin, self.hook, self.error = plugin, hook, describe(exc)
        super().__init__(f"plugin '{plugin}' failed in hook {hook}: {self.error}")


class HookRunner:
    """Calls one lifecycle hook's implementations in pluggy's order, each in its own try."""

    def __init__(self, host: PluginHost) -> None:
        self.host = host
        self.warn_only = os.environ.get(HOOK_ERRORS_ENV, "").strip().lower() == "warn"
        self.disabled: set[tuple[str, str]] = set()

    def impls(self, name: str) -> list[Any]:
        """The implementations still enabled, in the order pluggy calls them (last registered first)."""
        found = getattr(self.host.pm.hook, name).get_hookimpls()
        return [impl for impl in reversed(found) if (impl.plugin_name, name) not in self.disabled]

    def caller(self, name: str) -> Any:
        """A function calling hook ``name``, or None when no plugin implements it (costs nothing)."""
        if not self.impls(name):
            return None
        return lambda **kwargs: self.call(name, **kwargs)

    def call(self, name: str, **kwargs: Any) -> None:
        for impl in self.impls(name):
            try:
                call(impl, **kwargs)
            except Exception as exc:  # plugin code: name it
                if not self.warn_only:
                    raise HookFailed(impl.plugin_name, name, exc) from exc
                self.disabled.add((impl.plugin_name, name))
                print(
                    f"warning: plugin '{impl.plugin_name}' failed in hook {name}: {describe(exc)}; "
                    f"that hook is off for the rest of this run ({HOOK_ERRORS_ENV}=warn)",
                    file=sys.stderr,
                )
