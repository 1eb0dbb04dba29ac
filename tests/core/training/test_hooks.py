"""A lifecycle hook that raises: the run keeps its work and names the plugin, or trains on (warn)."""

from __future__ import annotations

import tomli_w

from conftest import Cli
from ganvas import Param, hookimpl
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


class Counter:
    """A callback: counts steps, logs every N, fails when asked to."""

    made: list[Counter] = []

    def __init__(self, every, fail_at):
        self.every, self.fail_at, self.steps = every, fail_at, []
        Counter.made.append(self)

    def on_step_end(self, trainer, step):  # takes only the arguments it names
        self.steps.append(step)
        if step % self.every == 0:
            trainer.log(f"counter: step {step} of {trainer.recipe.train.steps}")
        if step == self.fail_at:
            raise ValueError("counter broke")


class CounterPlugin:
    __name__ = "counting"

    @hookimpl
    def register_callbacks(self, register):
        register(
            "counter",
            Counter,
            params=[Param("every", int, 2, "steps between lines", min=1), Param("fail_at", int, 0, "step to fail at")],
        )


def _run_with_callbacks(tmp_path, callbacks, code=0, *options):
    recipe = tmp_path / "cb.toml"
    recipe.write_text(tomli_w.dumps(tiny_recipe(train={"checkpoint_every": 0}, callbacks=callbacks)))
    cli = Cli(PluginHost(entry_points=False, extra=[CounterPlugin()]), tmp_path / "runs")
    Counter.made.clear()
    return cli("train", str(recipe), *options, code=code), tmp_path / "runs" / "00000-tiny"


def test_a_recipe_enables_a_callback_with_its_parameters_and_the_run_records_it(tmp_path):
    result, run = _run_with_callbacks(tmp_path, [{"name": "counter", "every": 3}])
    (counter,) = Counter.made
    assert counter.steps == [1, 2, 3, 4, 5, 6]
    assert "counter: step 3 of 6" in result.output and "counter: step 6 of 6" in result.output
    assert '[[callbacks]]\nname = "counter"\nevery = 3' in (run / "recipe.toml").read_text()


def test_callbacks_are_checked_before_a_run_folder_exists_and_fire_only_when_enabled(tmp_path):
    result, run = _run_with_callbacks(tmp_path, [{"name": "counter", "every": 0}], 2)
    assert "callbacks.0.every: expected integer >= 1, got 0" in result.output and not run.exists()
    _run_with_callbacks(tmp_path, [])
    assert Counter.made == []  # no [[callbacks]] entry: nothing built, nothing called


def test_a_failing_callback_saves_a_checkpoint_and_says_how_to_leave_it_out(tmp_path):
    result, run = _run_with_callbacks(tmp_path, [{"name": "counter", "fail_at": 4}], 1, "-q")
    line = result.output.strip()
    assert "callback 'counter' (plugin 'counting') failed in hook on_step_end: ValueError: counter broke" in line
    assert "at step 4" in line and "remove it from [[callbacks]]" in line
    assert [s for s, _ in list_checkpoints(run / "checkpoints")] == [4]
