"""Choosing the torch device: ``auto`` prefers cuda, then mps, then cpu."""

from __future__ import annotations

import torch

from ganvas.errors import UserInputError

__all__ = ["resolve_device", "DEVICES", "THREADS_ENV", "busy_cpus", "choose_threads", "configure_threads"]

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


#: ``GANVAS_THREADS=N`` (or ``ganvas --threads N``) fixes the number of torch CPU threads.
THREADS_ENV = "GANVAS_THREADS"
_configured: list[int] = []


def choose_threads(cpus: int | None = None, load: float | None = None) -> tuple[int, str]:
    """How many torch CPU threads to use, and why.

    ``GANVAS_THREADS`` wins; a set ``OMP_NUM_THREADS`` (or MKL's) leaves torch's choice alone;
    otherwise torch's default (one per core) is cut to the cores that other work leaves free right
    now (:func:`busy_cpus`), never below one. Measured with ``ganvas bench threads`` on 2 cores: idle, 2 threads train
    1.5x faster than 1; with both cores busy elsewhere, 1 thread trains 1.9x faster than 2.
    """
    import os

    given = os.environ.get(THREADS_ENV, "").strip()
    if given:
        if not given.isdigit() or not 1 <= int(given) <= 1024:
            raise UserInputError(f"{THREADS_ENV}={given!r}: expected a whole number of threads from 1 to 1024")
        return int(given), f"{THREADS_ENV}={given}"
    default = torch.get_num_threads()
    if os.environ.get("OMP_NUM_THREADS") or os.environ.get("MKL_NUM_THREADS"):
        return default, "OMP_NUM_THREADS is set"
    cpus = cpus or os.cpu_count() or 1
    if load is None:
        load = busy_cpus()
        if load is None:
            return default, "torch's default"
    free = max(1, int(cpus - load + 0.5))
    if free >= default:
        return default, "torch's default"
    return free, f"{cpus} CPUs with load {load:.1f}: {free} free"


def busy_cpus(interval: float = 0.2) -> float | None:
    """How many CPUs other work keeps busy right now: sampled from ``/proc/stat`` over
    ``interval`` seconds while this process waits (the load average lags by a minute: right after
    ``pip install`` it still reports a busy machine). None where ``/proc/stat`` is missing."""
    import time

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
        return sum(fields), fields[3] + (fields[4] if len(fields) > 4 else 0)  # total, idle + iowait

    try:
        total0, idle0 = sample()
        time.sleep(interval)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    import os

    elapsed = max(total1 - total0, 1)
    return (1 - (idle1 - idle0) / elapsed) * (os.cpu_count() or 1)


def configure_threads() -> tuple[int, str]:
    """Apply :func:`choose_threads` once per process (later calls return the first choice)."""
    if not _configured:
        threads, why = choose_threads()
        torch.set_num_threads(threads)
        _configured[:] = [threads]
        return threads, why
    return _configured[0], "already set"
