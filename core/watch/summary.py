"""What ``ganvas runs`` lists and ``ganvas watch`` heads each run with: its state, step of
total, wall time, last SWD, newest image; and the recipe keys that differ between runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomllib

from ganvas.io.runs import RECIPE_FILE, STATS_FILE
from ganvas.io.status import read_status, run_state
from ganvas.runs import Run
from ganvas.watch.follow import read_from

__all__ = ["summarize", "flat_recipe", "recipe_differences", "is_run"]


def is_run(path: Path) -> bool:
    """A folder ``ganvas train`` made: it holds a recipe.toml."""
    return path.is_dir() and (path / RECIPE_FILE).is_file()


def _total_steps(run: Run) -> int | None:
    try:
        steps = tomllib.loads(run.recipe_text()).get("train", {}).get("steps")
    except Exception:  # an unreadable recipe: the listing still shows the folder
        return None
    return steps if isinstance(steps, int) else None


def _legacy_state(run: Run, step: int, total: int | None) -> str:
    """Runs from before status.json: finished when the last checkpoint is the last step."""
    checkpoints = run.checkpoints()
    if checkpoints and total is not None and checkpoints[-1][0] >= total:
        return "finished"
    return "interrupted" if checkpoints else "unknown"


def summarize(path: Path) -> dict[str, Any]:
    """One run's summary (JSON-friendly)."""
    run = Run(Path(path))
    status = read_status(run.path)
    chunk = read_from(run.path / STATS_FILE)
    last = chunk.lines[-1] if chunk.lines else {}
    total = status.get("total") if status else _total_steps(run)
    step = int(status.get("step", 0)) if status else int(last.get("step", 0))
    swd = next((line["SWD/avg"] for line in reversed(chunk.lines) if "SWD/avg" in line), None)
    images = run.images() or [p for _, p in run.samples()[-1:]]
    newest = max(images, key=lambda p: p.stat().st_mtime) if images else None
    wall = float(last["time_s"]) if "time_s" in last else None
    if status and status.get("state") == "running":
        wall = max(wall or 0.0, float(status.get("updated", 0)) - float(status.get("started", 0)))
    return {
        "run": run.path.name,
        "path": str(run.path),
        "name": run.name,
        "state": run_state(run.path, status) if status else _legacy_state(run, step, total),
        "step": step,
        "total": total,
        "wall_s": round(wall, 1) if wall is not None else None,
        "swd": swd,
        "newest_image": str(newest) if newest else None,
        "skipped_lines": chunk.skipped,
        **({"classes": status["classes"]} if status and status.get("classes") else {}),
    }


def flat_recipe(path: Path) -> dict[str, Any]:
    """A run's recipe as ``{"train.steps": 2000, "stylize.0.name": "oil", ...}`` (empty when unreadable)."""
    try:
        data = tomllib.loads((Path(path) / RECIPE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for index, item in enumerate(value):
                walk(f"{prefix}.{index}", item)
        else:
            flat[prefix] = value

    walk("", data)
    return flat


def recipe_differences(recipes: list[dict[str, Any]]) -> list[str]:
    """The keys whose values are not the same in every recipe (a missing key counts as different)."""
    if len(recipes) < 2:
        return []
    keys = sorted({k for r in recipes for k in r})
    missing = object()
    return [k for k in keys if len({repr(r.get(k, missing)) for r in recipes}) > 1]
