"""Shared fixtures: an isolated plugin host (no installed entry points) and tiny recipes."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

os.environ["GANVAS_LOAD_PLUGINS"] = ""  # never load the machine's installed third-party plugins
# Thread policy: every test, and every `python -m ganvas` a test starts, runs torch on one CPU
# thread. Tiny tensors gain nothing from more, a busy 2-core machine loses a lot, and bit-exact
# checks need a fixed count. A test that needs more threads asks with the `threads` fixture.
os.environ["OMP_NUM_THREADS"] = "1"

from click.testing import CliRunner  # noqa: E402

from ganvas.cli import make_cli  # noqa: E402
from ganvas.plugin.manager import PluginHost, reset_host  # noqa: E402
from ganvas.plugin.testing import tiny_recipe as tiny_raw  # noqa: E402
from ganvas.recipe import Recipe, parse_recipe  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    import torch

    torch.set_num_threads(1)


@pytest.fixture
def one_thread() -> None:
    """Documents (and checks) that a test depends on the one-thread policy, e.g. for exact pixels."""
    import torch

    assert torch.get_num_threads() == 1


@pytest.fixture
def threads() -> Any:
    """``threads(n)`` runs the rest of a test on ``n`` torch threads; the policy's 1 comes back after."""
    import torch

    def use(n: int) -> None:
        torch.set_num_threads(n)

    yield use
    torch.set_num_threads(1)


@pytest.fixture
def host() -> PluginHost:
    return PluginHost(entry_points=False)


@pytest.fixture
def tiny_recipe(host: PluginHost) -> Recipe:
    return parse_recipe(tiny_raw(), host.registry, source="tiny")


@pytest.fixture
def tiny_recipe_file(tmp_path: Path) -> Path:
    import tomli_w

    path = tmp_path / "tiny.toml"
    path.write_text(tomli_w.dumps(tiny_raw()))
    return path


class Cli:
    """Runs ``ganvas`` through click's CliRunner against an isolated host."""

    def __init__(self, host: PluginHost, runs_dir: Path) -> None:
        self.host, self.runs_dir = host, runs_dir

    def __call__(self, *args: str, code: int = 0) -> Any:
        runner = CliRunner()
        env = {"GANVAS_RUNS_DIR": str(self.runs_dir)}
        result = runner.invoke(make_cli(self.host), list(args), env=env, catch_exceptions=True)
        if result.exit_code != code:
            raise AssertionError(
                f"ganvas {' '.join(args)} exited {result.exit_code}, expected {code}\n"
                f"output:\n{result.output}\nexception: {result.exception!r}"
            )
        return result


@pytest.fixture
def cli(host: PluginHost, tmp_path: Path) -> Cli:
    return Cli(host, tmp_path / "runs")


@pytest.fixture(autouse=True)
def _isolated_host() -> Any:
    reset_host(None)
    yield
    reset_host(None)


def install_fake_dist(root, ep_name, module, source, dist=None, version="1.2.3"):
    """Write ``module.py`` (shared by the plugin-manager and plugin-CLI tests) and a dist-info declaring it under the ``ganvas`` entry-point group."""
    dist = dist or f"ganvas-{ep_name}"
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[ganvas]\n{ep_name} = {module}\n")
