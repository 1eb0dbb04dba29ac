"""Reading ``stats.jsonl`` while a run writes it: from a byte offset, whole lines only.

A line without its newline yet is left for the next read (the trainer is writing it); a whole
line that is not a JSON object (a disk that filled up, a hand edit) is skipped and counted."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Chunk", "read_from"]


@dataclass
class Chunk:
    lines: list[dict[str, Any]] = field(default_factory=list)
    offset: int = 0  # where the next read starts
    skipped: int = 0  # whole lines that were not JSON objects
    reset: bool = False  # the file shrank (a resume trimmed it): these lines replace what was read


def read_from(path: Path, offset: int = 0) -> Chunk:
    """The whole lines of ``path`` after byte ``offset``."""
    try:
        size = path.stat().st_size
    except OSError:
        return Chunk(offset=0, reset=offset > 0)
    reset = size < offset
    start = 0 if reset else offset
    with path.open("rb") as handle:
        handle.seek(start)
        data = handle.read()
    end = data.rfind(b"\n") + 1  # only whole lines; 0 when none is complete yet
    chunk = Chunk(offset=start + end, reset=reset)
    for raw in data[:end].splitlines():
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except ValueError:
            chunk.skipped += 1
            continue
        if isinstance(item, dict) and isinstance(item.get("step"), int):
            chunk.lines.append(item)
        else:
            chunk.skipped += 1
    return chunk
