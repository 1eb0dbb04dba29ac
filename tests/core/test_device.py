"""Choosing the device and the number of torch CPU threads."""

from __future__ import annotations

import pytest

from ganvas.device import choose_threads
from ganvas.errors import UserInputError


@pytest.fixture
def free_env(monkeypatch):
    for name in ("GANVAS_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_threads_follow_the_free_cores(free_env, threads):
    threads(4)
    assert choose_threads(cpus=4, load=0.3) == (4, "torch's default")
    assert choose_threads(cpus=4, load=2.2) == (2, "4 CPUs with load 2.2: 2 free")
    assert choose_threads(cpus=4, load=9.0)[0] == 1  # never below one


def test_an_explicit_thread_count_wins_and_a_bad_one_is_one_line(free_env, threads):
    threads(2)
    free_env.setenv("GANVAS_THREADS", "3")
    assert choose_threads(cpus=2, load=5.0) == (3, "GANVAS_THREADS=3")
    free_env.setenv("GANVAS_THREADS", "lots")
    with pytest.raises(UserInputError, match="GANVAS_THREADS='lots': expected a whole number"):
        choose_threads()


def test_omp_num_threads_leaves_torch_alone(free_env, threads):
    threads(2)
    free_env.setenv("OMP_NUM_THREADS", "2")
    assert choose_threads(cpus=2, load=5.0) == (2, "OMP_NUM_THREADS is set")


def test_busy_cpus_sees_a_process_spinning_now():
    import subprocess
    import sys

    from ganvas.device import busy_cpus

    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        import time

        time.sleep(0.3)
        busy = busy_cpus(0.3)
    finally:
        spinner.kill()
        spinner.wait()
    if busy is None:
        pytest.skip("no /proc/stat on this platform")
    assert 0.5 <= busy <= (__import__("os").cpu_count() or 1) + 0.01
