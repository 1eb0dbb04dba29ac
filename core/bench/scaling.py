"""``ganvas bench scaling``: two training processes (torch.distributed, 1 thread each) against one
process with 2 threads, on the same recipe and global batch, on the CPU.

Each configuration runs ``ganvas train RECIPE`` in a child process (``--nproc N`` for the
distributed one) for the same steps; rounds alternate between them so machine load hits both
alike. Throughput is the images per second the run reports over its timed steps (the first
``warmup`` steps' stats lines are left out), from its ``stats.jsonl``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["run_scaling_benchmark", "format_report", "CONFIGS"]

#: name -> (processes, torch threads per process)
CONFIGS: dict[str, tuple[int, int]] = {"1 process x 2 threads": (1, 2), "2 processes x 1 thread": (2, 1)}


def _images_per_s(run: Path, warmup: int) -> float:
    """Mean images/s over the stats lines after the first ``warmup`` steps."""
    lines = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines() if line.strip()]
    rates = [line["images_per_s"] for line in lines if line["step"] > warmup]
    if not rates:
        raise RuntimeError(f"{run}: no stats after step {warmup}")
    return statistics.fmean(rates)


def _train(recipe: str, overrides: list[str], processes: int, threads: int, runs: Path, warmup: int) -> float:
    """Train in a child process; its images/s after ``warmup`` steps."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "GANVAS_THREADS": str(threads)}
    env.pop("WORLD_SIZE", None)
    args = [sys.executable, "-m", "ganvas", "train", recipe, "-q", "--runs-dir", str(runs)]
    for item in overrides:
        args += ["--set", item]
    if processes > 1:
        args += ["--nproc", str(processes)]
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ganvas train failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return _images_per_s(sorted(runs.iterdir())[-1], warmup)


def run_scaling_benchmark(
    recipe: str = "default",
    *,
    steps: int = 60,
    batch: int = 64,
    rounds: int = 2,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Images/s of each configuration in :data:`CONFIGS` (median over ``rounds``) and their ratio."""
    warmup = max(2, steps // 6)
    log_every = max(1, steps // 12)
    overrides = [
        f"train.steps={steps}",
        f"train.batch={batch}",
        "train.sample_every=0",
        "train.checkpoint_every=0",
        "train.eval_every=0",
        "train.device=cpu",
        f"train.log_every={log_every}",
    ]
    rates: dict[str, list[float]] = {name: [] for name in CONFIGS}
    load = os.getloadavg()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            for name, (processes, threads) in CONFIGS.items():
                rate = _train(recipe, overrides, processes, threads, Path(tmp) / f"{r}-{processes}", warmup)
                rates[name].append(rate)
                if log is not None:
                    log(f"round {r + 1}/{rounds}: {name}: {rate:.1f} img/s")
    medians = {name: round(statistics.median(v), 1) for name, v in rates.items()}
    single, double = medians["1 process x 2 threads"], medians["2 processes x 1 thread"]
    return {
        "recipe": recipe,
        "steps": steps,
        "batch": batch,
        "rounds": rounds,
        "images_per_s": medians,
        "runs": rates,
        "ratio_2proc_over_2threads": round(double / single, 3),
        "cpu_count": os.cpu_count(),
        "load_average_before": [round(v, 2) for v in load],
        "seconds": round(time.perf_counter() - started, 1),
    }


def format_report(report: dict[str, Any]) -> str:
    """The figures as a few lines."""
    head = f"{report['recipe']}, global batch {report['batch']}, {report['steps']} steps, median of {report['rounds']}:"
    lines = [head]
    lines += [f"  {name:<24} {rate:8.1f} img/s" for name, rate in report["images_per_s"].items()]
    lines.append(f"  ratio 2 processes / 2 threads: {report['ratio_2proc_over_2threads']:.2f}")
    lines.append(f"  load average before: {report['load_average_before']}; {report['seconds']} s")
    return "\n".join(lines)
