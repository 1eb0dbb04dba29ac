"""Drawing at a chosen canvas size: native for architectures that render at any size (cppn,
spatial), upsampled for the others, seamless tiles, and the refusals."""

import numpy as np
import pytest
import tomli_w
from click.testing import CliRunner
from PIL import Image

from ganvas.cli import make_cli
from ganvas.plugin.manager import PluginHost
from ganvas.plugin.testing import tiny_recipe

CPPN = {"name": "cppn", "z_dim": 8, "grid": 4, "width": 8, "features": 8, "hidden": 8, "frequencies": 4, "d_width": 8}
SPATIAL = {
    "name": "spatial",
    "z_dim": 8,
    "levels": 2,
    "width": 8,
    "global_channels": 4,
    "local_channels": 4,
    "d_width": 8,
}


def _train(root, name, model):
    host = PluginHost(entry_points=False)
    path = root / f"{name}.toml"
    path.write_text(tomli_w.dumps({**tiny_recipe(model=model), "name": name}))
    env = {"GANVAS_RUNS_DIR": str(root / "runs")}
    result = CliRunner().invoke(make_cli(host), ["train", str(path), "-q"], env=env)
    assert result.exit_code == 0, result.output
    return next((root / "runs").glob(f"*-{name}"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("canvas")
    return {
        name: _train(root, name, model)
        for name, model in (("cppn", CPPN), ("spatial", SPATIAL), ("dcgan", {"name": "dcgan", "width": 8, "z_dim": 8}))
    }


def _size(path):
    with Image.open(path) as image:
        return image.size


def test_cppn_renders_natively_at_any_aspect_and_the_png_recreates(cli, runs, tmp_path):
    out = tmp_path / "wide.png"
    result = cli("sample", str(runs["cppn"]), "--seeds", "3", "--size", "96x40", "-o", str(out))
    assert "rendered natively at 96x40" in result.output
    assert _size(out) == (96, 40)  # a grid of one image is that image: no gutter
    again = tmp_path / "again.png"
    cli("run", str(out), "-o", str(again), "-q")
    assert np.array_equal(np.asarray(Image.open(out)), np.asarray(Image.open(again)))


def test_a_fixed_size_architecture_is_upsampled_and_says_so(cli, runs, tmp_path):
    result = cli(
        "sample", str(runs["dcgan"]), "--seeds", "1", "--no-grid", "--size", "64x32", "-o", str(tmp_path / "d")
    )
    assert "upsampled from 16x16 to 64x32" in result.output
    assert _size(tmp_path / "d" / "seed0001.png") == (64, 32)


def test_spatial_tiles_match_across_the_wrap(cli, runs, tmp_path):
    cli(
        "sample", str(runs["spatial"]), "--seeds", "5", "--no-grid", "--size", "48", "--tile", "-o", str(tmp_path / "t")
    )
    tile = np.asarray(Image.open(tmp_path / "t" / "seed0005.png")).astype(float)
    across = (np.abs(tile[:, 0] - tile[:, -1]).mean() + np.abs(tile[0] - tile[-1]).mean()) / 2
    inside = (np.abs(np.diff(tile, axis=1)).mean() + np.abs(np.diff(tile, axis=0)).mean()) / 2
    assert across <= inside


def test_animate_walks_at_a_native_size(cli, runs, tmp_path):
    out = tmp_path / "walk.gif"
    cli("animate", str(runs["cppn"]), "--seeds", "0-1", "--frames", "4", "--size", "40x24", "-o", str(out))
    assert _size(out) == (40, 24)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--size", "0"], "at least 8 px"),
        (["--size", "12x"], "is not a size"),
        (["--size", "100000", "--seeds", "1"], "GB"),
        (["--tile", "--seeds", "1"], "cannot paint a seamless tile"),
        (["--tile", "--size", "50", "--seeds", "1", "--no-grid"], "multiples of 4 px"),
    ],
)
def test_bad_canvases_are_one_line_usage_errors(cli, runs, args, expected):
    run = runs["spatial"] if "50" in args else runs["dcgan"]
    result = cli("sample", str(run), *args, code=2)
    assert expected in result.output and "Traceback" not in result.output


def test_tile_without_a_size_paints_a_tile_at_the_training_size(cli, runs, tmp_path):
    cli("sample", str(runs["spatial"]), "--seeds", "5", "--no-grid", "--tile", "-o", str(tmp_path / "t"))
    tile = np.asarray(Image.open(tmp_path / "t" / "seed0005.png")).astype(float)
    assert tile.shape[:2] == (16, 16)
    across = (np.abs(tile[:, 0] - tile[:, -1]).mean() + np.abs(tile[0] - tile[-1]).mean()) / 2
    inside = (np.abs(np.diff(tile, axis=1)).mean() + np.abs(np.diff(tile, axis=0)).mean()) / 2
    assert across <= inside
