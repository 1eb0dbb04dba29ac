"""``ganvas bench threads``: training speed by torch thread count, on an idle and a loaded CPU.

The default recipe's training step is timed with each thread count, in alternating rounds within
one process, first with the machine as it is ("idle"), then while one busy-looping process per CPU
core competes for it ("loaded": another training run, a browser, a build). It prints images per
second for each and the ratio to torch's own default thread count, which is what ganvas's
``--threads`` default is chosen from.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from ganvas.plugin import PluginHost
from ganvas.recipe import load_recipe
from ganvas.training import Trainer

__all__ = ["run_threads_benchmark", "format_report"]


def _spin(stop: Any) -> None:  # pragma: no cover - runs in a child process
    while not stop.is_set():
        sum(i * i for i in range(10_000))


@contextmanager
def _cpu_load(processes: int) -> Any:
    """``processes`` busy-looping processes for the duration of the block."""
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    workers = [context.Process(target=_spin, args=(stop,), daemon=True) for _ in range(processes)]
    for worker in workers:
        worker.start()
    time.sleep(1.0)  # let them reach full speed
    try:
        yield
    finally:
        stop.set()
        for worker in workers:
            worker.join(5)
            if worker.is_alive():
                worker.terminate()


def _rates(trainer: Trainer, counts: list[int], steps: int, rounds: int) -> dict[int, float]:
    """Median images/s per thread count over ``rounds`` alternating rounds of ``steps`` steps."""
    per: dict[int, list[float]] = {n: [] for n in counts}
    for index in range(rounds):
        order = counts if index % 2 == 0 else counts[::-1]
        for n in order:
            torch.set_num_threads(n)
            trainer.advance()  # one untimed step after a change of threads
            start = time.perf_counter()
            for _ in range(steps):
                trainer.advance()
            per[n].append(steps * trainer.recipe.train.batch / (time.perf_counter() - start))
    return {n: statistics.median(values) for n, values in per.items()}


def run_threads_benchmark(
    host: PluginHost, recipe: str = "default", steps: int = 5, rounds: int = 3, load: int | None = None
) -> dict[str, Any]:
    """Time ``recipe``'s training step for each thread count, idle and under load."""
    default = torch.get_num_threads()
    counts = sorted({1, 2, default} | ({default // 2} if default >= 4 else set()))
    load = os.cpu_count() or 1 if load is None else load
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(load_recipe(recipe, host.registry), Path(tmp), host, quiet=True, device="cpu")
        try:
            idle = _rates(trainer, counts, steps, rounds)
            with _cpu_load(load):
                loaded = _rates(trainer, counts, steps, rounds)
        finally:
            torch.set_num_threads(default)
    return {
        "recipe": recipe,
        "cpu_count": os.cpu_count(),
        "torch_default_threads": default,
        "load_processes": load,
        "steps": steps,
        "rounds": rounds,
        "images_per_s": {"idle": idle, "loaded": loaded},
        "ratio_to_default": {
            name: {n: rates[n] / rates[default] for n in counts} for name, rates in (("idle", idle), ("loaded", loaded))
        },
    }


def format_report(report: dict[str, Any]) -> str:
    default = report["torch_default_threads"]
    lines = [
        f"recipe {report['recipe']}: images/s by torch threads ({report['cpu_count']} CPUs; torch's default "
        f"{default}; loaded = {report['load_processes']} busy processes)",
    ]
    for condition in ("idle", "loaded"):
        cells = [
            f"{n}: {rate:.0f} ({report['ratio_to_default'][condition][n]:.2f}x)"
            for n, rate in report["images_per_s"][condition].items()
        ]
        lines.append(f"  {condition:<7} " + "   ".join(cells))
    return "\n".join(lines)
