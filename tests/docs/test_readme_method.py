"""The README's example method (generative moment matching) is real: it loads as a plugin from a
--plugins-dir, trains through the ordinary loop, resumes exactly, and draws with `ganvas sample`."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from ganvas.plugin.manager import PluginHost

README = Path(__file__).parents[2] / "README.md"


def example_source() -> str:
    blocks = re.findall(r"```python\n(# my_methods\.py.*?)```", README.read_text(), re.S)
    assert len(blocks) == 1, "README must have exactly one ```python block starting with '# my_methods.py'"
    return blocks[0]


@pytest.fixture(scope="module")
def moments_host(tmp_path_factory: pytest.TempPathFactory) -> PluginHost:
    folder = tmp_path_factory.mktemp("plugins")  # one file for the module: it is imported once
    (folder / "my_methods.py").write_text(example_source())
    return PluginHost(entry_points=False, plugins_dirs=[folder], strict=True)


def _recipe(tmp_path: Path, steps: int) -> Path:
    path = tmp_path / "ring.toml"
    path.write_text(f"""
name = "ring"
method = "moments"
[data]
source = "toy2d:ring"
count = 512
[model]
name = "mlp"
width = 64
z_dim = 4
[train]
steps = {steps}
batch = 128
lr_g = 0.002
log_every = 10
sample_every = 0
checkpoint_every = 40
device = "cpu"
""")
    return path


def test_readme_method_trains_and_draws(moments_host, tmp_path, caplog):
    from click.testing import CliRunner

    from ganvas.cli import make_cli

    assert "moments" in moments_host.registry.names("methods")
    runner, env = CliRunner(), {"GANVAS_RUNS_DIR": str(tmp_path / "runs")}
    result = runner.invoke(make_cli(moments_host), ["run", str(_recipe(tmp_path, 120)), "-q"], env=env)
    assert result.exit_code == 0, result.output
    run = tmp_path / "runs" / "00000-ring"
    lines = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines()]
    assert lines[-1]["step"] == 120
    assert lines[-1]["Loss/MMD"] < 0.5 * lines[0]["Loss/MMD"]  # it learns
    recipe = (run / "recipe.toml").read_text()
    assert 'name = "moments"' in recipe and "[loss]" not in recipe  # a section it does not use is left out
    result = runner.invoke(make_cli(moments_host), ["sample", str(run), "-o", str(tmp_path / "points.png")], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "points.png").is_file()


def test_readme_method_resumes_exactly(moments_host, tmp_path):
    import torch

    from ganvas.recipe import load_recipe
    from ganvas.training import Trainer

    recipe = load_recipe(_recipe(tmp_path, 80), moments_host.registry)
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    straight = Trainer(recipe, tmp_path / "a", moments_host, quiet=True)
    straight.run()
    half = replace(recipe, train=replace(recipe.train, steps=40))  # stops at the step-40 checkpoint
    Trainer(half, tmp_path / "b", moments_host, quiet=True).run()
    resumed = Trainer.resume(tmp_path / "b", moments_host, recipe, quiet=True)
    resumed.run()
    for a, b in zip(straight.method.G.parameters(), resumed.method.G.parameters()):
        assert torch.equal(a, b)
