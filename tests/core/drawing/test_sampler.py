"""The stylizer chain and image output, exercised through a plugin as a third party would."""

import numpy as np
import pytest
import tomli_w
from PIL import Image

from conftest import Cli
from ganvas import Param, hookimpl
from ganvas.plugin.testing import make_host, tiny_recipe


class Invert:
    """Invert colours."""

    def __init__(self, strength: float):
        self.strength = strength

    def __call__(self, images):
        assert images.min() >= 0 and images.max() <= 1  # stylizers get [0, 1]
        return self.strength * (1 - images) + (1 - self.strength) * images


class InvertPlugin:
    @hookimpl
    def register_stylizers(self, register):
        register("invert", Invert, params=[Param("strength", float, 1.0, "how far", min=0, max=1)])


@pytest.fixture
def styled_cli(tmp_path):
    return Cli(make_host(InvertPlugin()), tmp_path / "runs")


def _pixels(path):
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def test_recipe_stylizer_chain_is_applied_to_final_images(styled_cli, tmp_path):
    plain = tmp_path / "plain.toml"
    plain.write_text(tomli_w.dumps(tiny_recipe()))
    styled = tmp_path / "styled.toml"
    styled.write_text(tomli_w.dumps({**tiny_recipe(), "stylize": [{"name": "invert"}]}))
    styled_cli("run", str(plain), "-q")
    styled_cli("run", str(styled), "-q")
    a = _pixels(styled_cli.runs_dir / "00000-tiny" / "final.png")
    b = _pixels(styled_cli.runs_dir / "00001-tiny" / "final.png")
    # the grid gutters are not stylized; every tile pixel is inverted (up to rounding)
    tile = (slice(2, 18), slice(2, 18))
    assert np.abs(a[tile] + b[tile] - 255).max() <= 1
    recipe_text = Image.open(styled_cli.runs_dir / "00001-tiny" / "final.png").text["ganvas:recipe"]
    assert 'name = "invert"' in recipe_text and "strength = 1.0" in recipe_text


def test_chain_order_is_respected(styled_cli, tmp_path):
    twice = tmp_path / "twice.toml"
    chain = [{"name": "invert", "strength": 1.0}, {"name": "invert", "strength": 1.0}]
    twice.write_text(tomli_w.dumps({**tiny_recipe(), "stylize": chain}))
    plain = tmp_path / "plain.toml"
    plain.write_text(tomli_w.dumps(tiny_recipe()))
    styled_cli("run", str(twice), "-q")
    styled_cli("run", str(plain), "-q")
    a = _pixels(styled_cli.runs_dir / "00000-tiny" / "final.png")
    b = _pixels(styled_cli.runs_dir / "00001-tiny" / "final.png")
    assert np.abs(a - b).max() <= 1  # inverting twice is the identity


def test_bad_stylizer_parameter_in_recipe(styled_cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(tomli_w.dumps({**tiny_recipe(), "stylize": [{"name": "invert", "strenght": 2}]}))
    result = styled_cli("run", str(bad), code=2)
    assert "stylize.0.strenght: unknown parameter of stylizer 'invert'" in result.output
    assert "did you mean 'strength'" in result.output
