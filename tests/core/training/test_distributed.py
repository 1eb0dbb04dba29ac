"""Training on several processes (torch.distributed, gloo on the CPU), through ``ganvas train --nproc``.

The multi-process tests start real torchrun workers (``python -m ganvas``); a module fixture
trains the shared runs once: 4 steps of one process at batch 64, and of 2 ranks at 32 each, with
R1 (a gradient penalty: DDP does not average gradients taken with autograd.grad by itself).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from distributed_helpers import RECIPE, assert_close, ganvas, weights
from ganvas.errors import UserInputError
from ganvas.training.distributed import World


def test_world_splits_the_global_batch_and_says_what_divides():
    world = World(rank=1, size=2)
    assert world.local_batch(64) == 32 and not world.main and world.distributed
    assert world.shard(torch.arange(8)).tolist() == [4, 5, 6, 7]
    with pytest.raises(UserInputError, match=r"train.batch = 33 .* 2 processes: use 32 or 34"):
        world.local_batch(33)
    with pytest.raises(UserInputError, match="3 item\\(s\\), fewer than the 4 processes"):
        World(rank=0, size=4).check_items(3)
    single = World()
    assert single.shard(torch.arange(3)).tolist() == [0, 1, 2] and single.any(True, torch.device("cpu"))
    assert single.mean({"a": 1.0}, torch.device("cpu")) == {"a": 1.0} and single.gather(5) == [5]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("ddp")
    (root / "r.toml").write_text(RECIPE)
    ganvas("train", "r.toml", "-q", "--runs-dir", "one", cwd=root)
    two = ganvas("train", "r.toml", "--nproc", "2", "--runs-dir", "two", cwd=root)
    assert "training on 2 processes" in two.stderr
    return {"root": root, "one": root / "one" / "00000-ddp", "two": root / "two" / "00000-ddp"}


@pytest.mark.slow
def test_two_ranks_of_32_train_as_one_process_of_64(runs):
    assert_close(weights(runs["two"], 4), weights(runs["one"], 4))


@pytest.mark.slow
def test_only_rank_0_writes_the_run_folder(runs):
    assert [p.name for p in (runs["root"] / "two").iterdir()] == ["00000-ddp"]
    made = sorted(str(p.relative_to(runs["two"])) for p in runs["two"].rglob("*") if p.is_file())
    single = sorted(str(p.relative_to(runs["one"])) for p in runs["one"].rglob("*") if p.is_file())
    assert made == single  # the same files as one process, each once
    lines = (runs["two"] / "stats.jsonl").read_text().splitlines()
    assert len(lines) == 4  # one stats line per step, not one per rank


@pytest.mark.slow
def test_a_two_rank_checkpoint_resumes_on_one_rank(runs, tmp_path):
    import shutil

    root = runs["root"]
    for name, nproc in (("on-one", "1"),):  # on two: the SIGTERM test below
        shutil.copytree(runs["two"], tmp_path / name)
        (tmp_path / name / "checkpoints" / "step-0000004.pt").unlink(missing_ok=True)
        ganvas("train", "--resume", str(tmp_path / name), "--nproc", nproc, "-q", cwd=root)
        assert_close(weights(tmp_path / name, 4), weights(runs["one"], 4))


def _worker_pids(parent: int) -> list[int]:
    """The pids of processes whose parent is ``parent`` (torchrun's workers)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                pids.append(int(entry.name))
    return pids


def _start_long_run(root: Path, runs: str) -> subprocess.Popen[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env.pop("WORLD_SIZE", None)
    args = ["train", "r.toml", "--nproc", "2", "--runs-dir", runs, "--set", "train.steps=1000000"]
    args += ["--set", "train.checkpoint_every=0", "--set", "train.sample_every=0", "--set", "train.log_every=10"]
    process = subprocess.Popen(
        [sys.executable, "-m", "ganvas", *args], cwd=root, env=env, text=True, stderr=subprocess.PIPE
    )
    stats = root / runs / "00000-ddp" / "stats.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and not (stats.is_file() and stats.stat().st_size):
        time.sleep(0.2)
    assert stats.is_file() and stats.stat().st_size, "the run did not start"
    return process


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the workers through /proc")
def test_sigterm_stops_every_rank_at_one_step_and_the_run_resumes_exactly(runs, tmp_path):
    root = runs["root"]
    process = _start_long_run(root, "term")
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err[-2000:]
    assert "interrupted" in err and "Traceback" not in err
    run = root / "term" / "00000-ddp"
    saved = sorted((run / "checkpoints").glob("step-*.pt"))
    assert saved, err[-2000:]
    step = int(saved[-1].stem.split("-")[1])
    ganvas("train", "--resume", str(run), "--nproc", "2", "-q", "--set", f"train.steps={step + 2}", cwd=root)
    straight = ganvas(
        "train", "r.toml", "-q", "--runs-dir", str(tmp_path), "--set", f"train.steps={step + 2}", cwd=root
    )
    assert straight.returncode == 0
    assert_close(weights(run, step + 2), weights(tmp_path / "00000-ddp", step + 2))


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the workers through /proc")
def test_a_killed_rank_stops_the_others_with_a_message_not_a_hang(runs):
    process = _start_long_run(runs["root"], "kill")
    workers = _worker_pids(process.pid)
    assert len(workers) == 2, workers
    os.kill(max(workers), signal.SIGKILL)  # the later-started worker
    started = time.time()
    _, err = process.communicate(timeout=90)
    assert process.returncode == 1 and time.time() - started < 60
    assert "was killed" in err and "Traceback" not in err.split("error:")[-1]
