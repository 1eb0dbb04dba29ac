"""Loggers: train.log picks them; tensorboard's event files read back with tensorboard's own
reader; a failing third-party logger is named and the run keeps a checkpoint."""

from __future__ import annotations

import tomli_w

from conftest import Cli
from ganvas import hookimpl
from ganvas.io import list_checkpoints
from ganvas.plugin.manager import PluginHost
from ganvas.plugin.testing import tiny_recipe


def _recipe(tmp_path, **train):
    path = tmp_path / "tiny.toml"
    path.write_text(tomli_w.dumps(tiny_recipe(train={"steps": 6, "log_every": 2, "sample_every": 3, **train})))
    return path


def test_tensorboard_events_hold_the_scalars_and_grids(cli, tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    cli("train", str(_recipe(tmp_path, log=["jsonl", "tensorboard"])), "-q")
    run = tmp_path / "runs" / "00000-tiny"
    events = EventAccumulator(str(run / "tensorboard"), size_guidance={"images": 0, "scalars": 0})
    events.Reload()
    tags = events.Tags()
    assert {"Loss/D", "Loss/G", "images_per_s", "LR/G"} <= set(tags["scalars"])
    assert [e.step for e in events.Scalars("Loss/D")] == [2, 4, 6]
    assert [e.step for e in events.Images("samples")] == [3, 6]
    assert (run / "stats.jsonl").read_text().count("\n") == 3  # jsonl alongside


def test_without_jsonl_no_stats_file_is_written(cli, tmp_path):
    cli("train", str(_recipe(tmp_path, log="tensorboard")), "-q")
    stats = tmp_path / "runs" / "00000-tiny" / "stats.jsonl"
    assert not stats.exists() or stats.read_text() == ""


def test_an_unknown_or_repeated_logger_is_a_recipe_error(cli, tmp_path):
    out = cli("train", str(_recipe(tmp_path, log=["jsonl", "tensorbord"])), code=2).output
    assert "train.log: unknown logger 'tensorbord'" in out and "did you mean 'tensorboard'" in out
    out = cli("train", str(_recipe(tmp_path, log="jsonl,jsonl")), code=2).output
    assert "train.log: logger 'jsonl' named twice" in out


class Broken:
    """A third-party logger that fails on its second line."""

    __name__ = "broken-logger"

    @hookimpl
    def register_loggers(self, register):
        register("flaky", lambda run_dir, recipe, start: FlakyLogger(), help="fails")


class FlakyLogger:
    lines = 0

    def scalars(self, step, line):
        self.lines += 1
        if self.lines == 2:
            raise OSError("disk full")


def test_a_failing_logger_is_named_and_the_run_keeps_a_checkpoint(tmp_path):
    cli = Cli(PluginHost(entry_points=False, extra=[Broken()]), tmp_path / "runs")
    out = cli("train", str(_recipe(tmp_path, log="jsonl,flaky", checkpoint_every=0)), "-q", code=1).output
    assert "logger 'flaky' (plugin 'broken-logger') failed in hook scalars: OSError: disk full" in out
    assert "take it out of train.log" in out
    assert [s for s, _ in list_checkpoints(tmp_path / "runs" / "00000-tiny" / "checkpoints")] == [4]
