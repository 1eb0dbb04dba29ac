"""End-to-end checks in real processes (marked slow; CI runs them)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomli_w

from ganvas.plugin.testing import tiny_recipe


def _env(tmp_path):
    return {**os.environ, "GANVAS_LOAD_PLUGINS": "", "GANVAS_RUNS_DIR": str(tmp_path / "runs")}


@pytest.mark.slow
def test_ctrl_c_saves_a_checkpoint_and_resume_finishes(tmp_path):
    recipe = tmp_path / "long.toml"
    recipe.write_text(
        tomli_w.dumps(
            tiny_recipe(name="long", train={"steps": 100_000, "checkpoint_every": 0, "sample_every": 0, "log_every": 1})
        )
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "ganvas", "train", str(recipe)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stats = tmp_path / "runs" / "00000-long" / "stats.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and not (stats.exists() and stats.read_text().count("\n") >= 3):
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted at step" in err and "ganvas train --resume" in err and "Traceback" not in err
    ckpts = list((tmp_path / "runs" / "00000-long" / "checkpoints").glob("step-*.pt"))
    assert len(ckpts) == 1
    step = int(ckpts[0].stem.split("-")[1])
    assert step >= 3
    listed = subprocess.run(
        [sys.executable, "-m", "ganvas", "runs", "--json"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    (row,) = json.loads(listed.stdout)["runs"]
    assert row["state"] == "interrupted" and row["step"] == step and row["total"] == 100_000

    done = subprocess.run(
        [sys.executable, "-m", "ganvas", "train", "--resume", "long", "-q", "--set", f"train.steps={step + 2}"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"step-{step + 2:07d}.pt" in done.stdout


@pytest.mark.slow
def test_console_script_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[train]\nsteps = 'many'\n")
    result = subprocess.run(
        [sys.executable, "-m", "ganvas", "run", str(bad)],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert "data.source: missing" in result.stderr and "train.steps: expected integer" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "recipe", sorted(p.stem for p in (Path(__file__).parents[1] / "gallery/recipes").glob("*.toml"))
)
def test_every_gallery_recipe_runs_shortened(tmp_path, recipe):
    path = Path(__file__).parents[1] / "gallery" / "recipes" / f"{recipe}.toml"
    short = ["train.steps=3", "train.batch=8", "data.count=64"]
    if 'source = "image:' in path.read_text():  # one picture: no count; a smaller picture and canvas
        short = ["train.steps=3", "data.size=64", "sample.size=96", "sample.height=0"]
    result = subprocess.run(
        [sys.executable, "-m", "ganvas", "run", str(path), "-q", *[a for item in short for a in ("--set", item)]],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    image = Path(result.stdout.split("image: ")[1].split()[0])
    assert image.is_file() and image.stat().st_size > 1000
