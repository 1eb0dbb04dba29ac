"""ganvas watch in headless Chromium while a run trains: the curves gain points as steps land,
the newest sample grid appears, and a screenshot (printed; copied to $GANVAS_WATCH_SCREENSHOT
when set) is not blank."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomli_w
from PIL import Image

from browser_helpers import chromium, run_chromium
from ganvas.io.runs import list_runs
from ganvas.plugin.testing import tiny_recipe
from ganvas.watch.server import WatchServer

pytestmark = pytest.mark.slow  # a short training run and three browser runs, about 20 s


def _page(tmp: Path, url: str) -> dict[str, str]:
    """What the page shows after two seconds of polling every 200 ms."""
    dom = run_chromium(tmp, 1280, "--dump-dom", url + "?every=200", budget_ms=2000)
    found = {
        "lines": re.search(r'<body[^>]*data-lines="(\d+)"', dom),
        "step": re.search(r'<img[^>]*data-step="(\d+)"', dom) or re.search(r'data-step="(\d+)"[^>]*>', dom),
        "points": re.search(
            r'data-title="Losses"[^>]*data-points="(\d+)"|data-points="(\d+)"[^>]*data-title="Losses"', dom
        ),
    }
    assert all(found.values()), f"the page did not draw its runs: {dom[:3000]}"
    points = found["points"]
    return {"lines": int(found["lines"][1]), "step": int(found["step"][1]), "points": int(points[1] or points[2])}


def _wait(predicate, what: str, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while not predicate():
        if time.time() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_the_watch_page_follows_a_training_run(tmp_path: Path):
    chromium()  # skip before training when there is no browser
    recipe = tmp_path / "watched.toml"
    train = {"steps": 100_000, "log_every": 2, "sample_every": 20, "checkpoint_every": 0}
    recipe.write_text(tomli_w.dumps(tiny_recipe(name="watched", train=train)))
    runs = tmp_path / "runs"
    env = {**os.environ, "GANVAS_LOAD_PLUGINS": "", "GANVAS_RUNS_DIR": str(runs)}
    proc = subprocess.Popen([sys.executable, "-m", "ganvas", "train", str(recipe), "-q"], env=env)
    server = None
    try:
        stats = runs / "00000-watched" / "stats.jsonl"
        samples = runs / "00000-watched" / "samples"
        _wait(lambda: stats.exists() and stats.read_text().count("\n") >= 3 and any(samples.glob("*.png")), "stats")
        server = WatchServer(lambda: list_runs(runs), "127.0.0.1", 0).start()
        first = _page(tmp_path, server.url)
        _wait(lambda: stats.read_text().count("\n") >= first["lines"] + 20, "more stats")
        newest_before = max(int(p.stem.split("-")[1]) for p in samples.glob("step-*.png"))
        second = _page(tmp_path, server.url)
        assert second["lines"] > first["lines"] and second["points"] > first["points"], (first, second)
        assert second["step"] >= newest_before >= first["step"], (first, second, newest_before)
        shot = tmp_path / "watch.png"
        run_chromium(tmp_path, 1280, f"--screenshot={shot}", server.url + "?every=200", budget_ms=2000)
        with Image.open(shot) as img:
            colours = img.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 64, f"the screenshot {shot} is nearly blank"
        print(f"screenshot: {shot}")
        if os.environ.get("GANVAS_WATCH_SCREENSHOT"):
            shutil.copyfile(shot, os.environ["GANVAS_WATCH_SCREENSHOT"])
    finally:
        if server is not None:
            server.stop()
        proc.terminate()
        proc.wait(timeout=60)
