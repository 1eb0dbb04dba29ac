"""A run's state, in ``status.json`` beside its stats: written by the trainer when it starts,
at every log line and when it stops, so ``ganvas runs`` and ``ganvas watch`` can tell a run that
is training from one that finished, was interrupted, diverged or crashed.

A run whose file says ``running`` but whose process is gone (killed, or the machine rebooted)
reads as ``crashed``. Folders from before this file existed are judged by their checkpoints.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from ganvas.io.files import write_text_atomic

__all__ = ["STATUS_FILE", "STATES", "write_status", "read_status", "run_state"]

STATUS_FILE = "status.json"
#: Every state a run can be in, as ``ganvas runs`` prints them.
STATES = ("running", "finished", "interrupted", "diverged", "crashed", "unknown")


def write_status(
    run_dir: Path, state: str, step: int, total: int, *, started: float, detail: str = "", classes: dict | None = None
) -> None:
    """Record ``state`` at ``step`` of ``total`` (atomically: a reader never sees half a file);
    ``classes``: items per class of labelled data."""
    data = {
        "state": state,
        "step": step,
        "total": total,
        "started": round(started, 3),
        "updated": round(time.time(), 3),
        "pid": os.getpid(),
        "host": socket.gethostname(),
        **({"detail": detail} if detail else {}),
        **({"classes": classes} if classes else {}),
    }
    write_text_atomic(Path(run_dir) / STATUS_FILE, json.dumps(data) + "\n")


def read_status(run_dir: Path) -> dict[str, Any] | None:
    """The parsed ``status.json``, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads((Path(run_dir) / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _alive(pid: Any, host: Any) -> bool:
    if host != socket.gethostname() or not isinstance(pid, int):
        return True  # another machine's run: trust its file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_state(run_dir: Path, status: dict[str, Any] | None = None) -> str:
    """One of :data:`STATES` for ``run_dir``."""
    status = read_status(run_dir) if status is None else status
    if status is not None:
        state = str(status.get("state", "unknown"))
        if state == "running" and not _alive(status.get("pid"), status.get("host")):
            return "crashed"
        return state if state in STATES else "unknown"
    return "unknown"
