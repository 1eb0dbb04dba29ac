"""Timing helpers shared by the benchmarks: wall time per call, synchronised on CUDA."""

from __future__ import annotations

import time
from collections.abc import Callable

import torch

__all__ = ["sync", "seconds_per_call"]


def sync(device: torch.device) -> None:
    """Wait for queued CUDA work, so a timer measures the work and not its launch."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def seconds_per_call(fn: Callable[[], None], repeats: int, device: torch.device) -> float:
    """Mean wall time of ``repeats`` calls of ``fn``."""
    sync(device)
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    sync(device)
    return (time.perf_counter() - start) / repeats
