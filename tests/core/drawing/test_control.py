"""Drawing a class-conditional run (--class, a row per seed across classes, files per class, a
morph between classes) and moving along latent directions (--edit, ganvas explore)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tomli_w
from PIL import Image

from ganvas.io.provenance import read_provenance
from ganvas.plugin.testing import tiny_recipe

CLASSES = ["circles", "mondrian", "truchet", "stripes", "mountains", "petals"]


def _train(cli, tmp_path, name="cond", **method):
    raw = tiny_recipe(
        name=name,
        data={"source": "procedural:mixed", "size": 16, "count": 24},
        method={"name": "gan", "conditional": True, **method},
        train={"steps": 3, "batch": 6, "sample_every": 3, "checkpoint_every": 3},
    )
    path = tmp_path / f"{name}.toml"
    path.write_text(tomli_w.dumps(raw))
    cli("train", str(path), "-q")
    return tmp_path / "runs" / f"00000-{name}"


@pytest.fixture
def conditional(cli, tmp_path):
    return _train(cli, tmp_path)


def _pixels(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def test_every_class_is_a_column_and_each_seed_a_row(cli, conditional):
    path = cli("sample", str(conditional), "--seeds", "0-1").output.split("image: ")[1].strip()
    grid = _pixels(path)
    assert grid.shape[1] > grid.shape[0] * 2  # 6 columns x 2 rows
    recipe = read_provenance(path)
    assert recipe is not None


def test_one_class_is_drawn_for_every_seed_and_recorded(cli, conditional, tmp_path):
    out = tmp_path / "mondrian.png"
    cli("sample", str(conditional), "--seeds", "0-3", "--class", "mondrian", "-o", str(out))
    assert 'classes = "mondrian"' in cli("recipe", "show", str(out)).output
    again = tmp_path / "again.png"
    cli("sample", str(conditional), "--seeds", "0-3", "--class", "mondrian", "-o", str(again))
    assert np.array_equal(_pixels(out), _pixels(again))
    other = tmp_path / "circles.png"
    cli("sample", str(conditional), "--seeds", "0-3", "--class", "circles", "-o", str(other))
    assert not np.array_equal(_pixels(out), _pixels(other))


def test_no_grid_writes_a_file_per_seed_and_class(cli, conditional, tmp_path):
    folder = tmp_path / "each"
    cli("sample", str(conditional), "--seeds", "4", "--class", "petals,stripes", "--no-grid", "-o", str(folder))
    assert sorted(p.name for p in folder.iterdir()) == ["seed0004-petals.png", "seed0004-stripes.png"]


def test_a_class_that_does_not_exist_lists_the_classes_and_suggests_one(cli, conditional):
    out = cli("sample", str(conditional), "--class", "mondrain", code=2).output
    assert out.startswith("error: --class 'mondrain' is not one of this run's classes")
    assert "did you mean 'mondrian'" in out and all(name in out for name in CLASSES)


def test_class_on_an_unconditional_run_is_a_usage_error(cli, tmp_path):
    recipe = tmp_path / "plain.toml"
    recipe.write_text(tomli_w.dumps(tiny_recipe(name="plain")))
    cli("train", str(recipe), "-q")
    out = cli("sample", "plain", "--class", "circles", code=2).output
    assert "needs a class-conditional run" in out


def test_conditional_without_labels_or_with_an_unconditional_architecture_fails_before_training(cli, tmp_path):
    raw = tiny_recipe(name="nolabels", method={"name": "gan", "conditional": True})
    (tmp_path / "a.toml").write_text(tomli_w.dumps(raw))
    out = cli("train", str(tmp_path / "a.toml"), "-q", code=2).output
    assert "needs data with labels" in out and "procedural:mixed" in out
    raw = tiny_recipe(
        name="mlp",
        data={"source": "procedural:mixed", "size": 16, "count": 24},
        method={"name": "gan", "conditional": True},
        model={"name": "mlp"},
    )
    (tmp_path / "b.toml").write_text(tomli_w.dumps(raw))
    out = cli("train", str(tmp_path / "b.toml"), "-q", code=2).output
    assert "architecture 'mlp' is not" in out and "dcgan" in out
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())  # nothing half-made


def test_edits_move_the_picture_and_are_recorded(cli, conditional, tmp_path):
    plain, edited = tmp_path / "plain.png", tmp_path / "edited.png"
    cli("sample", str(conditional), "--seeds", "1", "--class", "circles", "-o", str(plain))
    cli("sample", str(conditional), "--seeds", "1", "--class", "circles", "--edit", "0=+3", "-o", str(edited))
    assert not np.array_equal(_pixels(plain), _pixels(edited))
    shown = cli("recipe", "show", str(edited)).output
    assert 'edit = "0=+3"' in shown
    again = tmp_path / "again.png"
    cli("run", str(edited), "-o", str(again), "-q")
    assert np.array_equal(_pixels(edited), _pixels(again))


def test_an_edit_beyond_the_directions_is_a_usage_error(cli, conditional):
    out = cli("sample", str(conditional), "--edit", "99=1", code=2).output
    assert "directions are 0..7" in out  # z_dim 8 in the tiny recipe


def test_explore_writes_a_sheet_of_directions(cli, conditional):
    out = cli("explore", str(conditional), "--k", "3", "--seeds", "0-1").output
    assert "found 3 directions in" in out
    sheet = _pixels(out.split("image: ")[1].strip())
    cell = sheet.shape[0] // 3
    assert sheet.shape[1] == pytest.approx(cell * 10, rel=0.05)  # 2 seeds x 5 strengths per row


def test_animate_morphs_between_classes(cli, conditional):
    out = cli("animate", str(conditional), "--seeds", "2", "--classes", "circles,petals", "--frames", "4").output
    gif = [line.split("animation: ")[1] for line in out.splitlines() if line.endswith(".gif")][0]
    png = gif[:-4] + ".png"
    walk = json.loads(Image.open(png).info["ganvas:animation"])
    assert walk["classes"] == ["circles", "petals"] and walk["seeds"] == [2, 2]
    out = cli("animate", str(conditional), "--classes", "circles", code=2).output
    assert "two or more classes" in out
