"""Run states and summaries (ganvas runs), and the recipe keys that differ between runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import tomli_w

from ganvas.io.status import read_status, run_state, write_status
from ganvas.plugin.testing import tiny_recipe
from ganvas.watch.summary import flat_recipe, recipe_differences, summarize


def test_a_trained_run_is_finished_with_its_step_wall_time_and_newest_image(cli, tmp_path):
    recipe = tmp_path / "tiny.toml"
    recipe.write_text(tomli_w.dumps(tiny_recipe(train={"steps": 4, "log_every": 2, "sample_every": 2})))
    cli("train", str(recipe), "-q")
    run = tmp_path / "runs" / "00000-tiny"
    row = summarize(run)
    assert row["state"] == "finished" and row["step"] == 4 and row["total"] == 4
    assert row["wall_s"] is not None and row["wall_s"] >= 0
    assert row["newest_image"].endswith("samples/step-0000004.png")
    status = read_status(run)
    assert status["pid"] == os.getpid() and status["state"] == "finished"


def test_a_running_status_whose_process_is_gone_reads_as_crashed(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    write_status(tmp_path, "running", 3, 10, started=0.0)
    status = read_status(tmp_path)
    assert run_state(tmp_path, status) == "running"  # this process is alive
    status["pid"] = int(gone.stdout)
    assert run_state(tmp_path, status) == "crashed"


def test_a_folder_from_before_status_files_is_judged_by_its_checkpoints(tmp_path):
    run = tmp_path / "00003-old"
    (run / "checkpoints").mkdir(parents=True)
    (run / "recipe.toml").write_text("[train]\nsteps = 10\n")
    assert summarize(run)["state"] == "unknown"
    (run / "checkpoints" / "step-0000005.pt").write_bytes(b"x")
    assert summarize(run)["state"] == "interrupted"
    (run / "checkpoints" / "step-0000010.pt").write_bytes(b"x")
    assert summarize(run)["state"] == "finished"


def test_recipe_differences_name_changed_added_and_removed_keys(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "recipe.toml").write_text(tomli_w.dumps({"train": {"steps": 10, "lr_g": 1e-4}, "stylize": [{"name": "oil"}]}))
    (b / "recipe.toml").write_text(tomli_w.dumps({"train": {"steps": 10, "lr_g": 5e-4}, "loss": {"name": "hinge"}}))
    flat = [flat_recipe(a), flat_recipe(b)]
    assert flat[0]["stylize.0.name"] == "oil" and flat[1]["loss.name"] == "hinge"
    assert recipe_differences(flat) == ["loss.name", "stylize.0.name", "train.lr_g"]
    assert recipe_differences(flat[:1]) == []


def test_the_status_file_is_json_with_the_totals(tmp_path):
    write_status(tmp_path, "interrupted", 7, 20, started=100.0)
    data = json.loads((tmp_path / "status.json").read_text())
    assert data["state"] == "interrupted" and data["step"] == 7 and data["total"] == 20
