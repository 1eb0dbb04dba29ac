"""Writing a file so that a crash or Ctrl-C mid-write never leaves a broken one at its path."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ganvas.errors import GanvasError

__all__ = ["atomic_write", "write_text_atomic"]


def atomic_write(path: Path, write: Callable[[Path], Any]) -> Path:
    """Call ``write(tmp)`` on a hidden file next to ``path``, then move it over ``path``.

    A write that fails (a full disk, a read-only folder) raises a one-line GanvasError naming the
    file; whatever was at ``path`` before is left as it was.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        os.replace(tmp, path)
    except (OSError, RuntimeError) as exc:  # torch.save reports a full disk as a RuntimeError
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise GanvasError(
            f"cannot write '{path}': {reason} (is the disk full or the folder read-only? "
            "what was there before is unchanged)"
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
