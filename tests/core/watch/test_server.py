"""The watch server's API, in-process: runs, stats from an offset, sample grids and files."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
import tomli_w

from ganvas.plugin.testing import tiny_recipe
from ganvas.watch.server import WatchServer


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        body = response.read()
        return response.headers["Content-Type"], body


@pytest.fixture
def served(cli, tmp_path):
    recipe = tmp_path / "tiny.toml"
    recipe.write_text(tomli_w.dumps(tiny_recipe(train={"steps": 4, "log_every": 1, "sample_every": 2})))
    cli("train", str(recipe), "-q")
    cli("train", str(recipe), "-q", "--set", "train.lr_g=0.001")
    runs = sorted((tmp_path / "runs").iterdir())
    server = WatchServer(lambda: runs, "127.0.0.1", 0).start()
    yield server, runs
    server.stop()


def test_the_page_is_self_contained(served):
    server, _ = served
    kind, body = _get(server.url)
    page = body.decode()
    assert kind.startswith("text/html") and "<svg" not in page.split("<script>")[0]  # drawn by the script
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|@import|url\(|fetch\(["'`]https?:""", page)  # offline


def test_runs_payload_has_both_runs_and_their_difference(served):
    server, runs = served
    data = json.loads(_get(server.url + "api/runs")[1])
    assert [r["run"] for r in data["runs"]] == [p.name for p in runs]
    assert data["differences"] == ["train.lr_g"]
    assert all(r["state"] == "finished" for r in data["runs"])


def test_stats_come_from_an_offset_and_samples_are_served(served):
    server, runs = served
    first = json.loads(_get(server.url + "api/stats?run=0&offset=0")[1])
    assert [line["step"] for line in first["lines"]] == [1, 2, 3, 4]
    again = json.loads(_get(server.url + f"api/stats?run=0&offset={first['offset']}")[1])
    assert again["lines"] == []
    samples = json.loads(_get(server.url + "api/samples?run=1")[1])["samples"]
    assert [s["step"] for s in samples] == [2, 4]
    kind, png = _get(server.url + samples[-1]["url"].lstrip("/"))
    assert kind == "image/png" and png == (runs[1] / "samples" / "step-0000004.png").read_bytes()


@pytest.mark.parametrize("path", ["api/stats?run=9", "file/0/recipe.toml", "file/0/../../etc/passwd", "nope"])
def test_unknown_runs_and_files_outside_the_pictures_are_not_found(served, path):
    server, _ = served
    with pytest.raises(urllib.error.HTTPError) as caught:
        _get(server.url + path)
    assert caught.value.code == 404
