"""Loggers: where a run's stats lines and sample grids go (``train.log``).

A logger is a component (``register_loggers``) whose factory takes ``(run_dir, recipe,
start_step)`` and returns an object with ``scalars(step, line)`` and, optionally,
``image(step, tag, images, path)`` and ``close()``. The trainer opens the recipe's loggers
before the first step and closes them however the run ends; a logger that raises is reported
naming it and its plugin, and the run keeps its work (a checkpoint), as for a failing hook.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ganvas.training.hooks import HookFailed

if TYPE_CHECKING:
    from ganvas.plugin.manager import PluginHost
    from ganvas.recipe import Recipe

__all__ = ["Loggers", "logger_names"]


def logger_names(recipe: Recipe) -> list[str]:
    """The loggers ``train.log`` names, in order."""
    return [name.strip() for name in recipe.train.log.split(",") if name.strip()]


def _open(component: Any, run_dir: Path, recipe: Recipe, start_step: int) -> Any:
    """Import the logger's factory and call it (inside the error handling: a broken import is the plugin's)."""
    return component.load()(run_dir, recipe, start_step)


class Loggers:
    """The recipe's loggers, open: :meth:`scalars` and :meth:`image` go to each in turn."""

    def __init__(
        self, recipe: Recipe, host: PluginHost, run_dir: Path, start_step: int, *, enabled: bool = True
    ) -> None:
        """``enabled=False`` (ranks other than 0 of a distributed run) opens none: nothing is written."""
        self.open: list[tuple[str, Any]] = []
        try:
            for name in logger_names(recipe) if enabled else []:
                component = host.get("loggers", name)
                who = f"logger '{name}' (plugin '{component.plugin}')"
                obj = self._call(who, "open", partial(_open, component, run_dir, recipe, start_step))
                self.open.append((who, obj))
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _call(who: str, what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except HookFailed:
            raise
        except Exception as exc:  # a plugin's bug or a full disk: name who failed
            raise HookFailed(who, what, exc, "take it out of train.log") from exc

    def scalars(self, step: int, line: dict[str, Any]) -> None:
        for who, obj in self.open:
            self._call(who, "scalars", partial(obj.scalars, step, line))

    def image(self, step: int, tag: str, images: Any, path: Path) -> None:
        for who, obj in self.open:
            if callable(getattr(obj, "image", None)):
                self._call(who, "image", partial(obj.image, step, tag, images, path))

    def close(self) -> None:
        """Close every logger (errors while closing are reported, not raised: the run is over)."""
        opened, self.open = self.open, []
        for who, obj in opened:
            if callable(getattr(obj, "close", None)):
                try:
                    obj.close()
                except Exception as exc:
                    import sys

                    print(f"warning: {who} failed while closing: {exc}", file=sys.stderr)

    def __enter__(self) -> Loggers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
