"""Drawing from a trained run: truncation, size, stylizers, EMA, checkpoints, and images that
carry the recipe which draws them again, bit for bit."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganvas.drawing.sampler import load_run, render_latents
from ganvas.io.images import read_png_text
from ganvas.seeds import latents_for_seeds, truncate


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img)


@pytest.fixture
def trained(cli, tiny_recipe_file) -> Path:
    cli("run", str(tiny_recipe_file), "-q", "--set", "train.checkpoint_every=3", "--set", "train.keep_checkpoints=1")
    return cli.runs_dir / "00000-tiny"


def test_truncation_zero_is_the_mean_image_and_one_the_plain_sample(trained, host):
    run = load_run(trained, host, torch.device("cpu"))
    z = latents_for_seeds([0, 1, 2, 3], run.drawer.z_dim)
    assert torch.equal(truncate(z, 1.0), z)
    assert torch.allclose(truncate(z, 0.5), z * 0.5)
    mean_images = render_latents(run, z, host, truncation=0.0)
    mean_image = render_latents(run, torch.zeros(1, run.drawer.z_dim), host, truncation=1.0)
    assert all(torch.equal(img, mean_image[0]) for img in mean_images)
    plain = render_latents(run, z, host, truncation=1.0)
    assert not torch.equal(plain[0], plain[1])  # the seeds differ when not truncated


def test_sample_cli_truncation_size_and_stylizers(cli, trained):
    out = cli("sample", "0", "--seeds", "0-3", "--truncation", "0", "-o", str(trained / "mean.png")).output
    tiles = _pixels(trained / "mean.png")
    assert "image:" in out
    first = tiles[2:18, 2:18]
    assert all(np.array_equal(first, tiles[2:18, x : x + 16]) for x in (20,))  # 16-px tiles, 2-px gutters
    cli(
        "sample",
        "0",
        "--seeds",
        "2",
        "--no-grid",
        "--size",
        "40",
        "-s",
        "posterize:colors=4",
        "-o",
        str(trained / "big"),
    )
    big = trained / "big" / "seed0002.png"
    assert _pixels(big).shape[:2] == (40, 40)
    assert len(np.unique(_pixels(big).reshape(-1, 3), axis=0)) <= 4  # a 4-colour palette
    drawn = read_png_text(big)["ganvas:recipe"]
    assert 'seeds = "2"' in drawn and "size = 40" in drawn and 'name = "posterize"' in drawn
    result = cli("sample", "0", "-s", "oil", "--no-stylize", code=2)
    assert "not both" in result.output
    result = cli("sample", "0", "-s", "oli", code=2)
    assert "unknown stylizer 'oli'" in result.output and "oil" in result.output


def test_raw_generator_and_checkpoint_steps(cli, trained, host):
    ema = load_run(trained, host, torch.device("cpu"))
    raw = load_run(trained, host, torch.device("cpu"), ema=False)
    z = latents_for_seeds([0], ema.drawer.z_dim)
    assert not torch.equal(render_latents(ema, z, host), render_latents(raw, z, host))
    # keep_checkpoints=1 prunes step 3 ...
    result = cli("sample", "0", "--step", "3", code=2)
    assert "no checkpoint of step 3" in result.output and "6" in result.output


def test_sample_step_checkpoint_is_kept_and_used(cli, tiny_recipe_file):
    out = cli("run", str(tiny_recipe_file), "-q", "--set", "sample.step=2", "--set", "train.keep_checkpoints=1").output
    run_dir = cli.runs_dir / "00000-tiny"
    names = sorted(p.name for p in (run_dir / "checkpoints").iterdir())
    assert names == ["step-0000002.pt", "step-0000006.pt"]  # kept despite keep_checkpoints=1
    assert read_png_text(run_dir / "final.png")["ganvas:step"] == "2"
    assert "image:" in out


def test_images_carry_the_recipe_that_draws_them_again(cli, trained, tmp_path):
    """write -> read -> identical recipe -> identical image, for a grid, a single seed drawn with
    other settings, and a training sample grid from before the end."""
    cli(
        "sample",
        "0",
        "--seeds",
        "5",
        "--n",
        "3",
        "--no-grid",
        "--truncation",
        "0.6",
        "--size",
        "24",
        "-s",
        "posterize:colors=4",
        "-o",
        str(tmp_path / "singles"),
    )
    single = tmp_path / "singles" / "seed0006.png"
    cases = [trained / "final.png", single, trained / "samples" / "step-0000003.png"]
    for number, image in enumerate(cases, start=1):
        text = cli("recipe", "show", str(image)).output
        assert text.startswith(f"# recipe embedded in {image}") and "[sample]" in text
        out = cli("run", str(image), "-q").output
        assert f"identical to {image}: every pixel matches" in out
        made = Path(re.search(r"^image: (.+)$", out, re.M).group(1))
        assert made.parent.name in ("images", f"{number:05d}-tiny")
        assert np.array_equal(_pixels(made), _pixels(image))
        assert read_png_text(made)["ganvas:recipe"] == read_png_text(image)["ganvas:recipe"]


def test_recipe_extract_writes_a_runnable_recipe(cli, trained, tmp_path):
    image = trained / "final.png"
    target = tmp_path / "again.toml"
    out = cli("recipe", "extract", str(image), "-o", str(target)).output
    assert f"recipe: {target}" in out and target.read_text().startswith("# recipe embedded in")
    result = cli("recipe", "extract", str(image), "-o", str(target), code=2)
    assert "--force" in result.output
    out = cli("run", str(target), "-q").output
    made = Path(re.search(r"^image: (.+)$", out, re.M).group(1))
    assert np.array_equal(_pixels(made), _pixels(image))


def test_recipe_commands_reject_images_without_a_recipe(cli, tmp_path):
    plain = tmp_path / "photo.png"
    Image.new("RGB", (8, 8), "red").save(plain)
    assert "carries no ganvas recipe" in cli("recipe", "show", str(plain), code=2).output
    assert "carries no ganvas recipe" in cli("run", str(plain), code=2).output
    assert "does not exist" in cli("recipe", "extract", str(tmp_path / "gone.png"), code=2).output
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    assert "cannot read image" in cli("recipe", "show", str(broken), code=2).output
    assert 'name = "default"' in cli("recipe", "show", "default").output
