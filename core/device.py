"""Choosing the torch device: ``auto`` prefers cuda, then mps, then cpu."""

from __future__ import annotations

import torch

from ganvas.errors import UserInputError

__all__ = ["resolve_device", "DEVICES"]

DEVICES = ("auto", "cpu", "cuda", "mps")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def resolve_device(name: str) -> torch.device:
    """The device for ``name``; asking for one this torch build cannot use is a clear error."""
    if name not in DEVICES and not name.startswith("cuda:"):
        raise UserInputError(f"unknown device '{name}'; valid: {', '.join(DEVICES)} (or cuda:N)")
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise UserInputError(
            f"device '{name}' was asked for, but this torch ({torch.__version__}) sees no CUDA GPU; "
            "use --device cpu or auto"
        )
    if name == "mps" and not _mps_available():
        raise UserInputError("device 'mps' was asked for, but this torch sees no Apple GPU; use --device cpu or auto")
    return torch.device(name)
