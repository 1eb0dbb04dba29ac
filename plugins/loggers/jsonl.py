"""The ``jsonl`` logger: ``stats.jsonl`` in the run folder, one flushed JSON line per log interval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ganvas.io import STATS_FILE

__all__ = ["JsonlLogger"]


class JsonlLogger:
    """Appends to ``stats.jsonl`` (a resumed run's file was trimmed to its checkpoint's step)."""

    def __init__(self, run_dir: Path, recipe: Any, start_step: int) -> None:
        self.file = (Path(run_dir) / STATS_FILE).open("a", encoding="utf-8")

    def scalars(self, step: int, line: dict[str, Any]) -> None:
        self.file.write(json.dumps(line) + "\n")
        self.file.flush()  # a reader (ganvas watch) sees every whole line at once

    def close(self) -> None:
        self.file.close()
