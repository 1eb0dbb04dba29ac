"""``ganvas plot``: a run's curves as one static picture, with matplotlib (the ``plot`` extra).

The same groups as the live page (losses, D(real)/D(fake), diversity, ADA p, SWD, learning
rates, img/s, the method's own), one panel each, only those the run logged."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from ganvas.errors import GanvasError, UserInputError
from ganvas.io.runs import STATS_FILE
from ganvas.watch.follow import read_from

__all__ = ["GROUPS", "group_series", "plot_run"]

_OWN = re.compile(r"^(Loss|D|Collapse|Augment|SWD|LR)/")
#: Panel title -> which keys of a stats line it shows (the page's CHARTS, in Python).
GROUPS: tuple[tuple[str, Any], ...] = (
    ("Losses", lambda k: k.startswith("Loss/")),
    ("D(real) / D(fake)", lambda k: k in ("D/real", "D/fake")),
    ("Diversity", lambda k: k.startswith("Collapse/") or "diversity" in k.lower()),
    ("ADA p", lambda k: k == "Augment/p"),
    ("SWD", lambda k: k.startswith("SWD/")),
    ("Learning rates", lambda k: k.startswith("LR/")),
    ("img/s", lambda k: k == "images_per_s"),
    ("Method", lambda k: bool(re.match(r"^[A-Z][A-Za-z]*/", k)) and not _OWN.match(k)),
)


def group_series(lines: list[dict[str, Any]]) -> list[tuple[str, dict[str, list[tuple[int, float]]]]]:
    """``[(title, {key: [(step, value), ...]})]`` for the groups the lines have values for."""
    keys = sorted({k for line in lines for k in line})
    out = []
    for title, pick in GROUPS:
        series: dict[str, list[tuple[int, float]]] = {}
        for key in filter(pick, keys):
            points = [
                (int(line["step"]), float(line[key]))
                for line in lines
                if isinstance(line.get(key), (int, float)) and math.isfinite(line[key])
            ]
            if points:
                series[key] = points
        if series:
            out.append((title, series))
    return out


def plot_run(run_dir: Path, output: Path, *, title: str | None = None, dpi: int = 110) -> Path:
    """Draw ``run_dir``'s stats into ``output`` (PNG); returns it."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise GanvasError("ganvas plot needs matplotlib: pip install 'ganvas[plot]'") from None
    chunk = read_from(Path(run_dir) / STATS_FILE)
    groups = group_series(chunk.lines)
    if not groups:
        raise UserInputError(f"run '{run_dir}' has no stats lines yet ({STATS_FILE} is missing or empty)")
    columns = min(3, len(groups))
    rows = math.ceil(len(groups) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 2.9 * rows), squeeze=False)
    for ax in axes.flat[len(groups) :]:
        ax.set_visible(False)
    for ax, (name, series) in zip(axes.flat, groups):
        for key, points in series.items():
            steps, values = zip(*points)
            ax.plot(steps, values, label=key, linewidth=1.2, marker="." if len(steps) < 30 else None)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        if len(series) > 1 or name in ("Method",):
            ax.legend(fontsize=7)
    fig.suptitle(title or Path(run_dir).name, fontsize=11)
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=dpi)
    plt.close(fig)
    return output
