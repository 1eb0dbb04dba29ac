"""ganvas.runs: reading run folders from Python."""

from __future__ import annotations

import pytest
import tomli_w

import ganvas.runs
from conftest import Cli
from ganvas.errors import UserInputError
from ganvas.plugin.testing import tiny_recipe


def test_a_trained_run_reads_back_through_the_public_api(host, tmp_path):
    recipe = tmp_path / "tiny.toml"
    recipe.write_text(tomli_w.dumps(tiny_recipe(train={"checkpoint_every": 3, "sample_every": 3, "log_every": 2})))
    Cli(host, tmp_path / "runs")("run", str(recipe))
    run = ganvas.runs.resolve("latest", tmp_path / "runs")
    assert run == ganvas.runs.resolve("tiny", tmp_path / "runs") == ganvas.runs.resolve(0, tmp_path / "runs")
    assert (run.name, run.number) == ("tiny", 0)
    assert [line["step"] for line in run.stats()] == [2, 4, 6]
    assert [step for step, _ in run.checkpoints()] == [3, 6] and [s for s, _ in run.samples()] == [3, 6]
    assert run.load_checkpoint()["step"] == 6 and run.load_checkpoint(3)["step"] == 3
    with pytest.raises(UserInputError, match="no checkpoint of step 4; it has \\[3, 6\\]"):
        run.load_checkpoint(4)
    assert run.images() == [run.path / "final.png"]
    assert run.recipe(host).train.steps == 6 and "[train]" in run.recipe_text()
    assert ganvas.runs.all_runs(tmp_path / "runs") == [run]


def test_a_half_written_stats_line_is_skipped(tmp_path):
    path = tmp_path / "stats.jsonl"
    path.write_text('{"step": 1}\n{"step": 2}\n{"step": 3, "Loss/D": 0.')
    assert [line["step"] for line in ganvas.runs.read_stats(path)] == [1, 2]
    assert list(ganvas.runs.read_stats(tmp_path / "missing.jsonl")) == []


def test_an_unknown_run_is_a_one_line_error(tmp_path):
    with pytest.raises(UserInputError, match="no run 'nope'"):
        ganvas.runs.resolve("nope", tmp_path)
