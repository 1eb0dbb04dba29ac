"""Shared by the distributed-training tests: a tiny recipe, the CLI in a subprocess, checkpoint weights."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch

RECIPE = """
name = "ddp"
[data]
source = "toy2d:ring"
count = 256
[model]
name = "mlp"
width = 16
depth = 2
[[regularize]]
name = "r1"
every = 2
[train]
steps = 4
batch = 64
sample_every = 2
checkpoint_every = 2
log_every = 1
device = "cpu"
"""


def ganvas(*args: str, cwd: Path, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    env.pop("WORLD_SIZE", None)
    result = subprocess.run(
        [sys.executable, "-m", "ganvas", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if check:
        assert result.returncode == 0, result.stderr[-2000:]
    return result


def weights(run: Path, step: int) -> dict[str, torch.Tensor]:
    state = torch.load(run / "checkpoints" / f"step-{step:07d}.pt", weights_only=True)["method_state"]
    return {f"{net}.{k}": v for net in ("G", "D", "G_ema") for k, v in state[net].items()}


def assert_close(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor], tol: float = 1e-5) -> None:
    assert a.keys() == b.keys()
    worst = max((a[k] - b[k]).abs().max().item() for k in a)
    assert worst < tol, worst
