"""Run folders: ``runs/NNNNN-<recipe-name>/`` with the resolved recipe, stats, samples and checkpoints.

A run folder is created exclusively and never overwritten; numbers only go up.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ganvas.errors import UserInputError

__all__ = [
    "runs_root",
    "create_run_dir",
    "find_run",
    "list_runs",
    "unique_path",
    "slug",
    "RECIPE_FILE",
    "STATS_FILE",
    "newest_checkpoint",
]

RECIPE_FILE = "recipe.toml"
STATS_FILE = "stats.jsonl"
_RUN_RE = re.compile(r"^(\d{5,})-(.+)$")


def runs_root(option: str | Path | None = None) -> Path:
    """``--runs-dir``, else ``$GANVAS_RUNS_DIR``, else ``./runs``."""
    return Path(option or os.environ.get("GANVAS_RUNS_DIR") or "runs").expanduser()


def slug(name: str) -> str:
    """``name`` as a safe file-name part (letters, digits, ``._-``; at most 60 characters)."""
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return text[:60] or "run"


def list_runs(root: Path) -> list[Path]:
    """Run folders under ``root``, oldest first."""
    if not root.is_dir():
        return []
    runs = [p for p in root.iterdir() if p.is_dir() and _RUN_RE.match(p.name)]
    return sorted(runs, key=lambda p: int(_RUN_RE.match(p.name).group(1)))  # type: ignore[union-attr]


def create_run_dir(root: Path, name: str) -> Path:
    """Make the next ``NNNNN-name`` folder under ``root``; an existing folder is never reused."""
    root.mkdir(parents=True, exist_ok=True)
    existing = list_runs(root)
    number = int(_RUN_RE.match(existing[-1].name).group(1)) + 1 if existing else 0  # type: ignore[union-attr]
    while True:
        path = root / f"{number:05d}-{slug(name)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            number += 1


def find_run(ref: str | Path, root: Path) -> Path:
    """A run by path, by number (``3`` or ``00003``), by name (``circles``: the latest), or ``latest``."""
    path = Path(ref).expanduser()
    if path.is_dir():
        return path
    runs = list_runs(root)
    text = str(ref)
    if text == "latest" and runs:
        return runs[-1]
    if text.isdigit():
        matches = [r for r in runs if int(_RUN_RE.match(r.name).group(1)) == int(text)]  # type: ignore[union-attr]
    else:
        matches = [r for r in runs if r.name == text or _RUN_RE.match(r.name).group(2) == text]  # type: ignore[union-attr]
    if matches:
        return matches[-1]
    recent = ", ".join(r.name for r in runs[-5:]) or f"none yet in '{root}'"
    raise UserInputError(f"no run '{ref}': give a run folder, a run number or a recipe name; recent runs: {recent}")


def unique_path(path: Path) -> Path:
    """``path`` if free, else ``name-2.ext``, ``name-3.ext``, ...: outputs never replace files."""
    if not path.exists():
        return path
    k = 2
    while (candidate := path.with_name(f"{path.stem}-{k}{path.suffix}")).exists():
        k += 1
    return candidate


def newest_checkpoint(path: Path) -> Path:
    """A checkpoint file as it is; a run folder: its newest checkpoint (what a model stylizer reads)."""
    if path.is_file():
        return path.resolve()
    from ganvas.io.checkpoint import list_checkpoints

    if not (path / RECIPE_FILE).is_file():
        raise UserInputError(f"'{path}' is not a run folder (no {RECIPE_FILE}) nor a checkpoint file")
    found = list_checkpoints(path / "checkpoints")
    if not found:
        raise UserInputError(f"run '{path}' has no checkpoint yet; train it first (ganvas train --resume {path})")
    return found[-1][1].resolve()
