"""A lifecycle hook that raises: the run keeps its work and names the plugin, or trains on (warn)."""

from __future__ import annotations

import tomli_w

from conftest import Cli
from ganvas import hookimpl
from ganvas.io import list_checkpoints
from ganvas.plugin.manager import PluginHost
from ganvas.plugin.testing import tiny_recipe


class Flaky:
    """A plugin whose on_step_end fails at step 3; it records how training ended."""

    __name__ = "flaky"

    def __init__(self) -> None:
        self.ended: list[str] = []

    @hookimpl
    def on_step_end(self, trainer, step, stats):
        if step == 3:
            raise KeyError("missing-stat")

    @hookimpl
    def on_train_end(self, trainer, step, reason):
        self.ended.append(reason)


def _run(tmp_path, plugin, monkeypatch=None, code=0):
    recipe = tmp_path / "tiny.toml"
    recipe.write_text(tomli_w.dumps(tiny_recipe(train={"checkpoint_every": 0})))
    cli = Cli(PluginHost(entry_points=False, extra=[plugin]), tmp_path / "runs")
    return cli("train", str(recipe), "-q", code=code), tmp_path / "runs" / "00000-tiny"


def test_a_failing_hook_saves_a_checkpoint_and_names_the_plugin(tmp_path):
    plugin = Flaky()
    result, run = _run(tmp_path, plugin, code=1)
    line = result.output.strip()
    assert "plugin 'flaky' failed in hook on_step_end: KeyError" in line and "at step 3" in line
    assert "ganvas train --resume" in line and "GANVAS_HOOK_ERRORS=warn" in line
    assert [s for s, _ in list_checkpoints(run / "checkpoints")] == [3]
    assert plugin.ended == ["crashed"]


def test_with_hook_errors_warn_the_hook_is_switched_off_and_training_goes_on(tmp_path, monkeypatch):
    monkeypatch.setenv("GANVAS_HOOK_ERRORS", "warn")
    plugin = Flaky()
    result, run = _run(tmp_path, plugin)
    assert "plugin 'flaky' failed in hook on_step_end" in result.output and "off for the rest" in result.output
    assert [s for s, _ in list_checkpoints(run / "checkpoints")] == [6]
    assert plugin.ended == ["finished"]
