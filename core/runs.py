"""Reading run folders from Python: the public API for plugins, notebooks and scripts.

A run folder (``runs/00012-circles/``) holds the resolved ``recipe.toml``, ``stats.jsonl`` (one
JSON line per logging interval), ``samples/step-NNNNNNN.png`` grids, ``checkpoints/`` and the
images drawn from it (``final.png`` or ``images/``)::

    import ganvas.runs

    run = ganvas.runs.resolve("latest")          # or a folder, a number, a recipe name
    losses = [line["Loss/G"] for line in run.stats() if "Loss/G" in line]
    step, grid = run.samples()[-1]
    state = run.load_checkpoint()                # the newest; step=N for another

Everything here reads; nothing writes. Torch is imported only to load a checkpoint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ganvas.errors import UserInputError
from ganvas.io.runs import RECIPE_FILE, STATS_FILE, find_run, list_runs, runs_root

if TYPE_CHECKING:
    from ganvas.plugin.manager import PluginHost
    from ganvas.recipe import Recipe

__all__ = ["Run", "resolve", "all_runs", "read_stats"]

_SAMPLE_RE = re.compile(r"^step-(\d+)\.png$")
_RUN_RE = re.compile(r"^(\d{5,})-(.+)$")


def read_stats(path: Path) -> Iterator[dict[str, Any]]:
    """The lines of a ``stats.jsonl`` as dicts. A line that is not JSON (the half-written last
    line of a run that is still training) is skipped, not an error."""
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        return
    with handle:
        for line in handle:
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict):
                yield item


@dataclass(frozen=True)
class Run:
    """One run folder."""

    path: Path

    @property
    def name(self) -> str:
        """The recipe name part of the folder name (``circles`` for ``00012-circles``)."""
        match = _RUN_RE.match(self.path.name)
        return match.group(2) if match else self.path.name

    @property
    def number(self) -> int | None:
        match = _RUN_RE.match(self.path.name)
        return int(match.group(1)) if match else None

    def recipe_text(self) -> str:
        """The resolved recipe the run trained, as TOML text."""
        try:
            return (self.path / RECIPE_FILE).read_text(encoding="utf-8")
        except OSError as exc:
            raise UserInputError(f"run '{self.path}' has no readable {RECIPE_FILE}: {exc.strerror or exc}") from None

    def recipe(self, host: PluginHost | None = None) -> Recipe:
        """The run's recipe, validated against the installed plugins (``host``: default, the process's)."""
        from ganvas.plugin.manager import get_host
        from ganvas.recipe import load_recipe

        return load_recipe(self.path / RECIPE_FILE, (host or get_host()).registry, trust=True)

    def stats(self) -> list[dict[str, Any]]:
        """Every logged line of ``stats.jsonl`` (``step``, ``time_s``, ``images_per_s``, ``Loss/D``, ...)."""
        return list(read_stats(self.path / STATS_FILE))

    def checkpoints(self) -> list[tuple[int, Path]]:
        """``(step, path)`` of the checkpoints, oldest first."""
        from ganvas.io.checkpoint import list_checkpoints

        return list_checkpoints(self.path / "checkpoints")

    def load_checkpoint(self, step: int | None = None) -> dict[str, Any]:
        """A checkpoint's state (on the CPU): the newest, or the one of ``step``."""
        from ganvas.io.checkpoint import load_checkpoint

        found = dict(self.checkpoints())
        if not found:
            raise UserInputError(f"run '{self.path}' has no checkpoints yet")
        if step is None:
            step = max(found)
        if step not in found:
            raise UserInputError(f"run '{self.path}' has no checkpoint of step {step}; it has {sorted(found)}")
        return load_checkpoint(found[step])

    def samples(self) -> list[tuple[int, Path]]:
        """``(step, path)`` of the sample grids written while training, oldest first."""
        folder = self.path / "samples"
        if not folder.is_dir():
            return []
        return sorted((int(m.group(1)), p) for p in folder.iterdir() if (m := _SAMPLE_RE.match(p.name)))

    def images(self) -> list[Path]:
        """The pictures drawn from the run: ``final.png`` and ``images/*.png``."""
        found = [self.path / "final.png"] if (self.path / "final.png").is_file() else []
        return found + sorted((self.path / "images").glob("*.png"))


def resolve(ref: str | int | Path = "latest", runs_dir: str | Path | None = None) -> Run:
    """A run by folder, number (``3``), recipe name (the newest of that name) or ``latest``, under
    ``runs_dir`` (default ``$GANVAS_RUNS_DIR`` or ``./runs``); a one-line error when there is none."""
    return Run(find_run(str(ref) if isinstance(ref, int) else ref, runs_root(runs_dir)))


def all_runs(runs_dir: str | Path | None = None) -> list[Run]:
    """Every run folder, oldest first."""
    return [Run(path) for path in list_runs(runs_root(runs_dir))]
