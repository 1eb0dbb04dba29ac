"""``ganvas restore`` and the ``model`` stylizer: tiny pix2pix runs repair picture files of any
size, record the checkpoint they used, and refuse what they cannot do with one-line errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import tomli_w
from PIL import Image

from conftest import Cli
from ganvas.io import read_png_text
from ganvas.io.provenance import file_sha256
from ganvas.plugin.manager import PluginHost
from ganvas.plugin.testing import tiny_recipe

TINY_METHOD = {"name": "pix2pix", "crop": 16, "width": 4, "depth": 1, "d_width": 4, "holdout": 2}


def _train(cli: Cli, folder: Path, name: str, corrupt: dict, **method) -> Path:
    raw = tiny_recipe(train={"steps": 2, "batch": 4, "sample_every": 0, "checkpoint_every": 2})
    raw.pop("model"), raw.pop("loss")
    raw.update(name=name, method={**TINY_METHOD, **method}, corrupt=corrupt)
    recipe = folder / f"{name}.toml"
    recipe.write_text(tomli_w.dumps(raw))
    cli("train", str(recipe), "-q")
    return next(cli.runs_dir.glob(f"*-{name}"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Cli, dict[str, Path], Path]:
    folder = tmp_path_factory.mktemp("restore")
    cli = Cli(PluginHost(entry_points=False), folder / "runs")
    made = {
        "noise": _train(cli, folder, "denoise", {"name": "noise", "sigma": 30.0}),
        "superres": _train(cli, folder, "superres", {"name": "downscale", "factor": 2}),
        "inpaint": _train(cli, folder, "inpaint", {"name": "mask"}),
    }
    return cli, made, folder


def _picture(path: Path, w: int = 37, h: int = 29, mode: str = "RGB", seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    array = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    Image.fromarray(array).convert(mode).save(path)
    return path


def test_a_picture_of_any_size_is_repaired_and_records_its_checkpoint(runs, tmp_path):
    cli, made, _ = runs
    source = _picture(tmp_path / "noisy.png")
    before = source.read_bytes()
    result = cli("restore", str(made["noise"]), str(source), "-o", str(tmp_path / "clean.png"))
    assert "image:" in result.output and source.read_bytes() == before
    out = Image.open(tmp_path / "clean.png")
    assert out.size == (37, 29)
    record = read_png_text(tmp_path / "clean.png")["ganvas:restore"]
    checkpoint = sorted((made["noise"] / "checkpoints").glob("*.pt"))[-1]
    assert f'sha256 = "{file_sha256(checkpoint)}"' in record and 'method = "pix2pix"' in record


def test_outputs_are_never_replaced_without_force_and_inputs_never(runs, tmp_path):
    cli, made, _ = runs
    source = _picture(tmp_path / "a.png")
    target = tmp_path / "out.png"
    cli("restore", str(made["noise"]), str(source), "-o", str(target))
    result = cli("restore", str(made["noise"]), str(source), "-o", str(target), code=2)
    assert "already exists" in result.output and "--force" in result.output
    cli("restore", str(made["noise"]), str(source), "-o", str(target), "--force")
    result = cli("restore", str(made["noise"]), str(source), "-o", str(source), "--force", code=2)
    assert "input" in result.output


def test_folders_keep_their_tree_and_skip_unreadable_files(runs, tmp_path):
    cli, made, _ = runs
    (tmp_path / "in" / "sub").mkdir(parents=True)
    _picture(tmp_path / "in" / "one.png")
    _picture(tmp_path / "in" / "sub" / "two.jpg", 20, 24)
    (tmp_path / "in" / "empty.png").write_bytes(b"")
    result = cli("restore", str(made["noise"]), str(tmp_path / "in"), "-o", str(tmp_path / "out"), "-q")
    assert "skipped 1 unreadable" in result.output
    assert Image.open(tmp_path / "out" / "sub" / "two.png").size == (20, 24)
    assert (tmp_path / "out" / "one.png").is_file()


def test_super_resolution_enlarges_by_its_factor(runs, tmp_path):
    cli, made, _ = runs
    source = _picture(tmp_path / "small.png", 21, 15)
    cli("restore", str(made["superres"]), str(source), "-o", str(tmp_path / "big.png"))
    assert Image.open(tmp_path / "big.png").size == (42, 30)


def _far_from_identity(run: Path, copy: Path) -> Path:
    """A copy of ``run`` whose U-Net head has random weights: two training steps leave the residual
    network next to the identity, which any tiling would reproduce."""
    import torch

    shutil.copytree(run, copy)
    checkpoint = sorted((copy / "checkpoints").glob("*.pt"))[-1]
    state = torch.load(checkpoint, weights_only=True)
    head = state["method_state"]["G"]["head.weight"]
    head.copy_(torch.randn(head.shape, generator=torch.Generator().manual_seed(0)) * 0.5)
    torch.save(state, checkpoint)
    return copy


def test_tiles_give_the_whole_picture_without_seams(runs, tmp_path):
    cli, made, _ = runs
    run = _far_from_identity(made["noise"], tmp_path / "run")
    source = _picture(tmp_path / "wide.png", 150, 90)
    cli("restore", str(run), str(source), "-o", str(tmp_path / "whole.png"))
    cli("restore", str(run), str(source), "-o", str(tmp_path / "tiled.png"), "--tile", "64")
    whole = np.asarray(Image.open(tmp_path / "whole.png"), dtype=np.int16)
    tiled = np.asarray(Image.open(tmp_path / "tiled.png"), dtype=np.int16)
    assert np.abs(whole - np.asarray(Image.open(source), dtype=np.int16)).mean() > 2  # the network does change it
    assert np.abs(whole - tiled).max() <= 1  # depth-1 U-Net: its reach is inside the 32-px overlap of 64-px tiles


def test_inpainting_needs_a_matching_mask_and_keeps_known_pixels(runs, tmp_path):
    cli, made, _ = runs
    source = _picture(tmp_path / "damaged.png", 40, 30)
    mask = np.zeros((30, 40), dtype=np.uint8)
    mask[10:20, 5:25] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    Image.fromarray(mask[:20]).save(tmp_path / "small-mask.png")
    result = cli("restore", str(made["inpaint"]), str(source), "-o", str(tmp_path / "x.png"), code=2)
    assert "--mask" in result.output
    result = cli(
        "restore",
        str(made["inpaint"]),
        str(source),
        "--mask",
        str(tmp_path / "small-mask.png"),
        "-o",
        str(tmp_path / "y.png"),
        code=2,
    )
    assert "40x20" in result.output and "40x30" in result.output
    cli(
        "restore",
        str(made["inpaint"]),
        str(source),
        "--mask",
        str(tmp_path / "mask.png"),
        "-o",
        str(tmp_path / "f.png"),
    )
    before, after = np.asarray(Image.open(source)), np.asarray(Image.open(tmp_path / "f.png"))
    known = mask == 0
    assert np.array_equal(before[known], after[known])
    assert "mask_sha256" in read_png_text(tmp_path / "f.png")["ganvas:restore"]
    result = cli(
        "restore", str(made["noise"]), str(source), "--mask", str(tmp_path / "mask.png"), "-o", "z.png", code=2
    )
    assert "fill holes" in result.output


def test_a_grey_picture_into_a_colour_model_is_converted_with_a_note(runs, tmp_path):
    cli, made, _ = runs
    source = _picture(tmp_path / "grey.png", mode="L")
    result = cli("restore", str(made["noise"]), str(source), "-o", str(tmp_path / "g.png"))
    assert "note: a grey picture into a colour model" in result.output
    assert Image.open(tmp_path / "g.png").mode == "RGB"


def test_bad_runs_and_files_are_one_line_errors(runs, tmp_path, tiny_recipe_file):
    cli, made, _ = runs
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    result = cli("restore", str(made["noise"]), str(empty), "-o", str(tmp_path / "e.png"), code=2)
    assert "cannot read image" in result.output and "Traceback" not in result.output
    cli("train", str(tiny_recipe_file), "-q")
    gan_run = next(p for p in cli.runs_dir.iterdir() if p.name.endswith("-tiny"))
    result = cli("restore", str(gan_run), str(_picture(tmp_path / "p.png")), "-o", str(tmp_path / "q.png"), code=2)
    assert "method 'gan'" in result.output and "pix2pix" in result.output
    result = cli(
        "restore", str(made["noise"]), str(tmp_path / "p.png"), "--reverse", "-o", str(tmp_path / "r.png"), code=2
    )
    assert "--reverse is for cycle runs" in result.output


def test_the_model_stylizer_chains_a_run_and_pins_its_checkpoint(runs, tmp_path):
    cli, made, folder = runs
    run = tmp_path / "copied-run"
    shutil.copytree(made["noise"], run)
    source = _picture(tmp_path / "in.png")
    cli("stylize", str(source), "-o", str(tmp_path / "styled.png"), "-s", f"model:run={run}", "-s", "vignette")
    assert Image.open(tmp_path / "styled.png").size == (37, 29)
    raw = tiny_recipe(train={"steps": 2, "sample_every": 0, "checkpoint_every": 2}, sample={"seeds": "0"})
    raw.update(name="chained", stylize=[{"name": "model", "run": str(run), "strength": 0.5}])
    recipe = tmp_path / "chained.toml"
    recipe.write_text(tomli_w.dumps(raw))
    result = cli("run", str(recipe))
    image = Path(result.output.strip().splitlines()[-1].removeprefix("image: "))
    assert "stylize.0.run = sha256:" in read_png_text(image)["ganvas:files"]
    checkpoint = sorted((run / "checkpoints").glob("*.pt"))[-1]
    checkpoint.write_bytes(checkpoint.read_bytes() + b"changed")
    result = cli("run", str(image), "--trust", code=2)
    assert "changed since the image was made" in result.output and "cannot be re-created" in result.output
    shutil.rmtree(run)
    result = cli("run", str(image), "--trust", code=2)
    assert "not found" in result.output


def test_the_model_stylizer_refuses_runs_it_cannot_use(runs, tmp_path, tiny_recipe_file):
    cli, made, _ = runs
    source = _picture(tmp_path / "in.png")
    result = cli("stylize", str(source), "-o", str(tmp_path / "o.png"), "-s", f"model:run={made['inpaint']}", code=2)
    assert "needs a mask" in result.output and "ganvas restore" in result.output
    result = cli("stylize", str(source), "-o", str(tmp_path / "o.png"), "-s", f"model:run={tmp_path}", code=2)
    assert "not a run folder" in result.output


def test_masks_in_a_folder_with_alpha_and_never_overwritten(runs, tmp_path):
    cli, made, _ = runs
    (tmp_path / "in").mkdir()
    (tmp_path / "masks").mkdir()
    for name in ("a", "b"):
        _picture(tmp_path / "in" / f"{name}.png", 24, 20)
        holes = np.zeros((20, 24, 4), dtype=np.uint8)
        holes[..., 3] = 255  # opaque, as editors save masks: the alpha is no hole
        holes[5:10, 5:15, :3] = 255
        Image.fromarray(holes, "RGBA").save(tmp_path / "masks" / f"{name}.png")
    cli(
        "restore",
        str(made["inpaint"]),
        str(tmp_path / "in"),
        "--mask",
        str(tmp_path / "masks"),
        "-o",
        str(tmp_path / "out"),
    )
    before, after = (
        np.asarray(Image.open(tmp_path / "in" / "a.png")),
        np.asarray(Image.open(tmp_path / "out" / "a.png")),
    )
    assert np.array_equal(before[:5], after[:5]) and np.array_equal(before[10:], after[10:])
    result = cli(
        "restore",
        str(made["inpaint"]),
        str(tmp_path / "in" / "a.png"),
        "--mask",
        str(tmp_path / "masks" / "a.png"),
        "-o",
        str(tmp_path / "masks" / "a.png"),
        "--force",
        code=2,
    )
    assert "is a mask" in result.output
    (tmp_path / "masks" / "b.png").unlink()
    result = cli(
        "restore",
        str(made["inpaint"]),
        str(tmp_path / "in"),
        "--mask",
        str(tmp_path / "masks"),
        "-o",
        str(tmp_path / "o2"),
        code=2,
    )
    assert "no mask for" in result.output and not (tmp_path / "o2").exists()  # found missing before any work


def test_a_cycle_run_restyles_both_ways(runs, tmp_path):
    cli, _, folder = runs
    raw = tiny_recipe(train={"steps": 2, "batch": 4, "sample_every": 0, "checkpoint_every": 2})
    raw.pop("model"), raw.pop("loss")
    raw.update(
        name="restyle", method={"name": "cycle", "target": "procedural:mondrian", "crop": 16, "width": 4, "depth": 1}
    )
    recipe = tmp_path / "restyle.toml"
    recipe.write_text(tomli_w.dumps(raw))
    cli("train", str(recipe), "-q")
    run = next(cli.runs_dir.glob("*-restyle"))
    source = _picture(tmp_path / "photo.png", 30, 22)
    cli("restore", str(run), str(source), "-o", str(tmp_path / "poster.png"))
    cli("restore", str(run), str(source), "--reverse", "-o", str(tmp_path / "back.png"))
    there, back = np.asarray(Image.open(tmp_path / "poster.png")), np.asarray(Image.open(tmp_path / "back.png"))
    assert there.shape == back.shape == (22, 30, 3) and not np.array_equal(there, back)
    assert "reverse = true" in read_png_text(tmp_path / "back.png")["ganvas:restore"]


def test_an_ensemble_is_recorded_and_stays_close_to_the_single_pass(runs, tmp_path):
    cli, made, _ = runs
    run = _far_from_identity(made["noise"], tmp_path / "run")
    source = _picture(tmp_path / "p.png", 40, 24)
    cli("restore", str(run), str(source), "-o", str(tmp_path / "one.png"))
    cli("restore", str(run), str(source), "-o", str(tmp_path / "eight.png"), "--ensemble", "8")
    assert "ensemble = 8" in read_png_text(tmp_path / "eight.png")["ganvas:restore"]
    one = np.asarray(Image.open(tmp_path / "one.png"), dtype=np.int16)
    eight = np.asarray(Image.open(tmp_path / "eight.png"), dtype=np.int16)
    assert one.shape == eight.shape and 0 < np.abs(one - eight).mean() < 40
