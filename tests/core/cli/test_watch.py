"""ganvas runs, ganvas plot and ganvas watch from the command line: output and one-line errors."""

from __future__ import annotations

import json
import socket

import numpy as np
import pytest
import tomli_w
from PIL import Image

from ganvas.plugin.testing import tiny_recipe


@pytest.fixture
def trained(cli, tmp_path):
    recipe = tmp_path / "tiny.toml"
    recipe.write_text(tomli_w.dumps(tiny_recipe(train={"steps": 4, "log_every": 1, "sample_every": 2})))
    cli("train", str(recipe), "-q")
    return tmp_path / "runs" / "00000-tiny"


def test_runs_lists_each_run_with_its_state(cli, trained):
    text = cli("runs").output
    assert "00000-tiny" in text and "finished" in text and "4/4" in text
    (row,) = json.loads(cli("runs", "--json").output)["runs"]
    assert row["run"] == "00000-tiny" and row["state"] == "finished" and row["step"] == 4


def test_runs_with_no_runs_says_how_to_start_one(cli):
    assert "ganvas train RECIPE" in cli("runs").output


def test_plot_writes_a_png_of_the_curves_and_never_replaces_one(cli, trained, tmp_path):
    first = cli("plot", str(trained)).output.split("curves: ")[1].strip()
    second = cli("plot", "tiny").output.split("curves: ")[1].strip()
    assert first != second and first.endswith("curves.png") and second.endswith("curves-2.png")
    with Image.open(first) as image:
        assert image.width > 400 and image.height > 200
        assert len(np.unique(np.asarray(image.convert("L")))) > 16  # drawn curves, not a blank canvas


def test_plot_of_a_run_without_stats_is_a_one_line_error(cli, tmp_path):
    run = tmp_path / "runs" / "00000-empty"
    run.mkdir(parents=True)
    (run / "recipe.toml").write_text("[train]\nsteps = 5\n")
    out = cli("plot", str(run), code=2).output
    assert out.startswith("error: ") and "no stats lines yet" in out and "Traceback" not in out


def test_plot_refuses_an_output_that_is_not_a_png(cli, trained, tmp_path):
    out = cli("plot", str(trained), "-o", str(tmp_path / "c.jpg"), code=2).output
    assert "must end in .png" in out


def test_watch_on_a_folder_that_is_not_a_run_is_a_usage_error(cli, tmp_path):
    out = cli("watch", str(tmp_path), code=2).output
    assert "is not a run folder" in out and out.count("\n") == 1


def test_watch_on_a_port_in_use_names_another(cli, trained):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = cli("watch", str(trained), "--port", str(port), code=1).output
    assert f"port {port} is in use: try --port {port + 1}" in out and "Traceback" not in out


def test_watch_on_every_network_warns_that_the_page_has_no_password(cli, trained):
    with socket.socket() as taken:  # the port is taken, so the command returns after its warning
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        out = cli("watch", str(trained), "--host", "0.0.0.0", "--port", str(taken.getsockname()[1]), code=1).output
    assert "warning: serving on 0.0.0.0" in out and "no password" in out
