"""Step stats: averaged on the device between log lines, synced once per line, checked for NaN."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from ganvas.io.files import write_text_atomic

__all__ = ["StatsAccumulator", "progress_fields", "trim_stats"]


class StatsAccumulator:
    """Sums each named 0-d tensor over steps; :meth:`flush` gives the means (one host sync)."""

    def __init__(self) -> None:
        self._sum: dict[str, Tensor] = {}
        self._count = 0

    def add(self, stats: dict[str, Tensor]) -> None:
        for key, value in stats.items():
            previous = self._sum.get(key)
            self._sum[key] = value.detach().float() if previous is None else previous + value.detach()
        self._count += 1

    def flush(self) -> tuple[dict[str, float], list[str]]:
        """``(means, names of the means that are not finite)``; starts a new interval."""
        if not self._sum:
            return {}, []
        means = torch.stack(list(self._sum.values())).cpu() / max(self._count, 1)
        out = dict(zip(self._sum, means.tolist()))
        self._sum, self._count = {}, 0
        return out, [k for k, v in out.items() if not math.isfinite(v)]


def progress_fields(line: dict[str, Any]) -> dict[str, str]:
    """The short fields the progress bar shows for a stats line: losses, ADA's p, img/s."""
    fields = {k.split("/", 1)[1]: f"{v:.3f}" for k, v in line.items() if k.startswith("Loss/")}
    if "Augment/p" in line:
        fields["p"] = f"{line['Augment/p']:.3f}"
    fields["img/s"] = f"{line['images_per_s']:.0f}"
    return fields


def trim_stats(path: Path, step: int) -> None:
    """Keep the lines of ``stats.jsonl`` up to ``step`` (a half-written last line goes too)."""
    if not path.is_file():
        return
    kept = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            if int(json.loads(line)["step"]) <= step:
                kept.append(line)
        except (ValueError, KeyError, TypeError):
            continue
    write_text_atomic(path, "".join(f"{line}\n" for line in kept))
