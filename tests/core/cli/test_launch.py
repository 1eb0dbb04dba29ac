"""``ganvas train --nproc/--nnodes``: the launcher's arguments and errors, and two "nodes" on localhost."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from distributed_helpers import RECIPE, assert_close, ganvas, weights
from ganvas.cli.launch import check_launch, worker_arguments
from ganvas.errors import UserInputError


def test_workers_get_the_command_without_the_launch_options():
    argv = ["train", "r.toml", "--nproc", "2", "--nnodes=1", "--set", "train.steps=3", "--rdzv-timeout", "9", "-q"]
    assert worker_arguments(argv) == ["train", "r.toml", "--set", "train.steps=3", "-q"]


def test_bad_launches_are_refused_before_any_process_starts():
    with pytest.raises(UserInputError, match="--nnodes 2 needs --rdzv-endpoint HOST:PORT"):
        check_launch(1, 2, None)
    with pytest.raises(UserInputError, match="must be HOST:PORT"):
        check_launch(1, 2, "node0")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_a_rendezvous_that_never_completes_times_out_with_one_line(tmp_path):
    (tmp_path / "r.toml").write_text(RECIPE)
    endpoint = f"127.0.0.1:{_free_port()}"
    started = time.time()
    args = ("train", "r.toml", "--nnodes", "2", "--rdzv-endpoint", endpoint, "--rdzv-timeout", "3")
    result = ganvas(*args, "--runs-dir", "runs", cwd=tmp_path, check=False, timeout=90)
    assert result.returncode == 1 and time.time() - started < 60
    assert "did not all meet" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


@pytest.mark.slow
def test_two_nodes_on_localhost_train_as_one_process(tmp_path):
    (tmp_path / "r.toml").write_text(RECIPE)
    endpoint = f"127.0.0.1:{_free_port()}"
    args = ["train", "r.toml", "-q", "--nnodes", "2", "--rdzv-endpoint", endpoint, "--runs-dir", "nodes"]
    nodes = [
        subprocess.Popen([sys.executable, "-m", "ganvas", *args], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for node in nodes:
        _, err = node.communicate(timeout=120)
        assert node.returncode == 0, err[-2000:]
    ganvas("train", "r.toml", "-q", "--runs-dir", "one", cwd=tmp_path)
    runs = list((tmp_path / "nodes").iterdir())
    assert len(runs) == 1  # one run folder, written by rank 0
    assert_close(weights(runs[0], 4), weights(tmp_path / "one" / "00000-ddp", 4))


def test_nproc_zero_and_an_unshareable_batch_are_usage_errors(cli, tmp_path):
    (tmp_path / "r.toml").write_text(RECIPE)
    assert "0 is not in the range x>=1" in cli("train", str(tmp_path / "r.toml"), "--nproc", "0", code=2).output
    out = cli("train", str(tmp_path / "r.toml"), "--nproc", "2", "--set", "train.batch=33", code=2).output
    assert "train.batch = 33 is the global batch and must split evenly over 2 processes: use 32 or 34" in out
    assert not (tmp_path / "runs").exists()  # refused before a run folder or a process
