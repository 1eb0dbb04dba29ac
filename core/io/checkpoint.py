"""Checkpoints: written atomically (temporary file, then rename), loaded without executing code.

A checkpoint is a dict of tensors, numbers and strings saved with ``torch.save`` and read with
``torch.load(weights_only=True)``, which refuses arbitrary pickled objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch

from ganvas.errors import GanvasError, UserInputError
from ganvas.io.files import atomic_write

__all__ = ["save_checkpoint", "load_checkpoint", "list_checkpoints", "prune_checkpoints", "checkpoint_path"]

FORMAT = 1
_CKPT_RE = re.compile(r"^step-(\d+)\.pt$")


def checkpoint_path(folder: Path, step: int) -> Path:
    return folder / f"step-{step:07d}.pt"


def save_checkpoint(state: dict[str, Any], path: Path) -> Path:
    """Write ``state`` to ``path`` so that a crash mid-write never leaves a broken file there."""
    return atomic_write(path, lambda tmp: torch.save({"format": FORMAT, **state}, tmp))


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Read a checkpoint onto the CPU; only tensors and plain data are accepted."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise UserInputError(f"checkpoint '{path}' does not exist") from None
    except Exception as exc:
        raise GanvasError(f"checkpoint '{path}' cannot be read ({type(exc).__name__}); it may be damaged") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise GanvasError(f"'{path}' is not a ganvas checkpoint (format {FORMAT})")
    return state


def list_checkpoints(folder: Path) -> list[tuple[int, Path]]:
    """``(step, path)`` of the checkpoints in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := _CKPT_RE.match(p.name))]
    return sorted(found)


def prune_checkpoints(folder: Path, keep: int, keep_steps: Iterable[int] = ()) -> None:
    """Delete all but the ``keep`` most recent checkpoints and those of ``keep_steps``."""
    protected = set(keep_steps)
    for step, path in list_checkpoints(folder)[:-keep]:
        if step not in protected:
            path.unlink(missing_ok=True)
