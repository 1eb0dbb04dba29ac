"""``ganvas animate``: slerp walks that loop, time-lapses of the sample grids, GIF/APNG/MP4 files."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import stat

import numpy as np
import pytest
import torch
from PIL import Image, ImageSequence

from conftest import Cli
from ganvas.drawing.animate import save_animation, slerp, timelapse_frames, walk_latents
from ganvas.errors import UserInputError
from ganvas.io.images import read_png_text
from ganvas.plugin.manager import PluginHost
from ganvas.plugin.testing import tiny_recipe

# -- latents ---------------------------------------------------------------------------------------


def test_slerp_endpoints_arc_and_norm():
    a, b = torch.tensor([3.0, 0.0, 0.0]), torch.tensor([0.0, 3.0, 0.0])
    assert torch.equal(slerp(a, b, 0), a) and torch.equal(slerp(a, b, 1.0), b)
    half = 3 / 2**0.5
    assert torch.allclose(slerp(a, b, 0.5), torch.tensor([half, half, 0.0]), atol=1e-6)
    ts = torch.linspace(0, 1, 9)
    path = slerp(a, b, ts)  # one row per t
    assert path.shape == (9, 3)
    assert torch.allclose(path.norm(dim=1), torch.full((9,), 3.0), atol=1e-5)  # on the circle
    assert (0.5 * (a + b)).norm() < 2.2  # a straight line would cut inside it
    # rows interpolate pairwise; a batch of t per row
    rows = slerp(torch.stack([a, b]), torch.stack([b, a]), torch.tensor([0.0, 1.0]))
    assert torch.equal(rows, torch.stack([a, a]))
    # (nearly) parallel: falls back to a straight line instead of dividing by sin(0)
    assert torch.allclose(slerp(a, 2 * a, 0.5), 1.5 * a)
    assert torch.isfinite(slerp(a, a, 0.3)).all() and torch.allclose(slerp(a, a, 0.3), a)
    assert slerp(a.float(), b.float(), 0.25).dtype == torch.float32


def test_walk_latents_loops_through_the_keyframes():
    torch.manual_seed(0)
    keys = torch.randn(3, 16)
    keys = keys / keys.norm(dim=1, keepdim=True) * 4  # equal norms: slerp steps are equal chords
    frames = 10  # not a multiple of 3: segments get 3, 3 and 4 frames
    walk = walk_latents(keys, frames)
    assert walk.shape == (frames, 16) and walk.dtype == keys.dtype
    assert torch.equal(walk[0], keys[0])
    for k in range(3):
        assert torch.equal(walk[k * frames // 3], keys[k])
    # the loop closes: the last frame is one step (of the last segment) short of keyframe 0
    last_step = (walk[-1] - walk[-2]).norm()
    closing = (walk[0] - walk[-1]).norm()
    assert closing > 0.1 and torch.isclose(closing, last_step, rtol=1e-4)
    assert torch.allclose(walk.norm(dim=1), torch.full((frames,), 4.0), atol=1e-4)
    # frames == K: exactly the keyframes
    assert torch.equal(walk_latents(keys, 3), keys)


def test_walk_latents_rejects_too_few_keyframes_or_frames():
    with pytest.raises(UserInputError, match="at least 2 keyframe"):
        walk_latents(torch.randn(1, 4), 8)
    with pytest.raises(UserInputError, match="2 frames cannot visit 3 keyframes"):
        walk_latents(torch.randn(3, 4), 2)


# -- files -----------------------------------------------------------------------------------------


def _frames(n=6, channels=3, h=12, w=10):
    """Distinct frames: a moving diagonal gradient below a static top band."""
    y, x = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    out = []
    for i in range(n):
        base = (x * 20 + y * 9 + i * 37) % 256
        img = torch.stack([base, base.flip(1), (base * 3) % 256][:channels]).to(torch.uint8)
        img[:, :3] = torch.tensor([200, 40, 90][:channels], dtype=torch.uint8)[:, None, None]  # static band
        out.append(img)
    return torch.stack(out)


def _rgb(img):
    return np.asarray(img.convert("RGB")).astype(int)


def test_save_animation_gif_and_apng(tmp_path):
    frames = _frames()
    meta = {"ganvas:recipe": 'name = "x"\n', "ganvas:animation": json.dumps({"mode": "walk"})}
    paths = save_animation(frames, tmp_path / "out" / "walk", fps=12, metadata=meta)
    assert [p.name for p in paths] == ["walk.gif", "walk.png"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["walk.gif", "walk.png"]  # no temp files left
    with Image.open(paths[1]) as apng:
        assert apng.format == "PNG" and apng.is_animated and apng.n_frames == 6 and apng.info["loop"] == 0
        durations = [f.info["duration"] for f in ImageSequence.Iterator(apng)]
        assert durations == pytest.approx([1000 / 12] * 6, abs=0.01)
        apng.seek(0)
        assert np.array_equal(_rgb(apng), frames[0].permute(1, 2, 0).numpy())  # lossless
        apng.seek(4)
        assert np.array_equal(_rgb(apng), frames[4].permute(1, 2, 0).numpy())
    assert read_png_text(paths[1]) == meta
    with Image.open(paths[0]) as gif:
        assert gif.format == "GIF" and gif.n_frames == 6 and gif.info["loop"] == 0
        decoded = []
        for f in ImageSequence.Iterator(gif):
            assert f.info["duration"] == 80  # 83.3 ms in GIF centiseconds
            decoded.append(_rgb(f))
    # one shared palette: the static band has the same colour in every frame (no flicker)
    assert all(np.array_equal(d[:3], decoded[0][:3]) for d in decoded)
    assert np.abs(decoded[2] - frames[2].permute(1, 2, 0).numpy()).mean() < 12


def test_save_animation_grayscale_scale_and_hold(tmp_path):
    frames = _frames(n=4, channels=1, h=5, w=7)
    paths = save_animation(frames, tmp_path / "grey", fps=5, scale=3, hold_last_ms=1000)
    for path in paths:
        with Image.open(path) as img:
            assert img.n_frames == 4 and img.size == (21, 15)
            durations = [f.info["duration"] for f in ImageSequence.Iterator(img)]
            assert durations == pytest.approx([200, 200, 200, 1200])
            img.seek(1)  # nearest enlargement of grey frames: exact in both files
            expected = np.kron(frames[1, 0].numpy(), np.ones((3, 3), dtype=np.uint8))
            assert np.array_equal(np.asarray(img.convert("L")), expected)


def test_save_animation_refuses_to_replace_and_checks_formats(tmp_path):
    frames = _frames(n=2)
    save_animation(frames, tmp_path / "a", fps=10, formats=["apng"])
    with pytest.raises(UserInputError, match="already exists"):
        save_animation(frames, tmp_path / "a", fps=10, formats=["gif", "apng"])
    assert not (tmp_path / "a.gif").exists()  # checked before writing anything
    assert save_animation(frames, tmp_path / "a", fps=10, formats=["apng"], overwrite=True) == [tmp_path / "a.png"]
    with pytest.raises(UserInputError, match="unknown animation format 'webm'"):
        save_animation(frames, tmp_path / "b", fps=10, formats=["webm"])


def test_mp4_is_skipped_without_ffmpeg(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with caplog.at_level(logging.WARNING, logger="ganvas"):
        paths = save_animation(_frames(n=2), tmp_path / "m", fps=10, formats=["gif", "mp4"])
    assert [p.name for p in paths] == ["m.gif"] and "no ffmpeg" in caplog.text


def test_mp4_pipes_even_sized_rgb_frames_to_ffmpeg(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "ffmpeg"  # records its arguments; "encodes" by copying stdin to the output
    fake.write_text('#!/bin/sh\necho "$@" > "$(dirname "$0")/args"\nfor last; do :; done\ncat > "$last"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    frames = _frames(n=3, channels=1, h=5, w=7)  # odd sides: padded to 8 x 6
    paths = save_animation(frames, tmp_path / "v", fps=10, formats=["mp4"], hold_last_ms=200)
    assert paths == [tmp_path / "v.mp4"]
    args = (bin_dir / "args").read_text()
    assert "-s 8x6" in args and "libx264" in args and "yuv420p" in args and "-framerate 10" in args
    raw = np.frombuffer((tmp_path / "v.mp4").read_bytes(), dtype=np.uint8).reshape(-1, 6, 8, 3)
    assert len(raw) == 3 + 2  # the last frame held 200 ms = 2 more frames
    assert np.array_equal(raw[0, :5, :7, 0], frames[0, 0].numpy()) and np.array_equal(raw[0, :, 7], raw[0, :, 6])


# -- the command -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One tiny trained run (6 steps, sample grids at steps 3 and 6), shared by the CLI tests."""
    import tomli_w

    root = tmp_path_factory.mktemp("animate")
    recipe = root / "tiny.toml"
    recipe.write_text(tomli_w.dumps(tiny_recipe()))
    Cli(PluginHost(entry_points=False), root / "runs")("train", str(recipe), "--quiet")
    return root / "runs" / "00000-tiny"


@pytest.fixture
def acli(trained, host):
    return Cli(host, trained.parent)


def _one_line_error(result, *words):
    text = result.output.strip()
    assert text.startswith("error: ") and "\n" not in text and "Traceback" not in text, text
    for word in words:
        assert word in text, text


def test_walk_defaults_match_sample(acli, trained, tmp_path):
    result = acli("animate", str(trained))
    paths = re.findall(r"^animation: (.+)$", result.output, re.M)
    stem = trained / "walk-0-3-step0000006"
    assert paths == [f"{stem}.gif", f"{stem}.png"]
    for path in paths:
        with Image.open(path) as img:
            assert img.n_frames == 48 and img.info["loop"] == 0 and img.size == (16, 16)
    acli("sample", str(trained), "--seeds", "0,1", "--no-grid", "-o", str(tmp_path / "s"))
    with Image.open(paths[1]) as apng:
        assert np.array_equal(_rgb(apng), _rgb(Image.open(tmp_path / "s" / "seed0000.png")))
        apng.seek(12)  # keyframe 1 of 4 in 48 frames
        assert np.array_equal(_rgb(apng), _rgb(Image.open(tmp_path / "s" / "seed0001.png")))
    meta = read_png_text(paths[1])
    assert json.loads(meta["ganvas:animation"]) == {
        "mode": "walk",
        "seeds": [0, 1, 2, 3],
        "frames": 48,
        "fps": 12,
        "interpolation": "slerp",
        "loop": True,
    }
    assert meta["ganvas:seeds"] == "0,1,2,3" and meta["ganvas:step"] == "6"
    assert 'seeds = "0-3"' in meta["ganvas:recipe"]
    # again: a fresh stem, never a replaced file
    again = re.findall(r"^animation: (.+)$", acli("animate", str(trained), "--frames", "4").output, re.M)
    assert again == [f"{stem}-2.gif", f"{stem}-2.png"]


def test_walk_options_and_output(acli, trained, tmp_path):
    out = tmp_path / "w.gif"  # a known suffix is dropped from the stem
    result = acli(
        "animate",
        str(trained),
        "--seeds",
        "5,9,2",
        "--frames",
        "7",
        "--fps",
        "20",
        "--format",
        "png",
        "--scale",
        "2",
        "--truncation",
        "0.5",
        "-o",
        str(out),
    )
    assert re.findall(r"^animation: (.+)$", result.output, re.M) == [str(tmp_path / "w.png")]
    with Image.open(tmp_path / "w.png") as img:
        assert img.n_frames == 7 and img.size == (32, 32) and img.info["duration"] == pytest.approx(50)
    assert "truncation = 0.5" in read_png_text(tmp_path / "w.png")["ganvas:recipe"]
    _one_line_error(acli("animate", str(trained), "--format", "apng", "-o", str(out), code=2), "already exists")
    acli("animate", str(trained), "--format", "apng", "-o", str(out), "--force", "--frames", "5")
    with Image.open(tmp_path / "w.png") as img:
        assert img.n_frames == 5
    result = acli("animate", str(trained), "--n", "3", "--frames", "6", "--format", "gif", "-o", str(tmp_path / "r"))
    assert re.search(r"^seeds: \d+,\d+,\d+$", result.output, re.M)


def test_timelapse(acli, trained, tmp_path):
    grids = sorted((trained / "samples").glob("step-*.png"))
    paths, frames = timelapse_frames(trained)
    assert paths == grids and frames.dtype == torch.uint8 and len(frames) == len(grids) == 2
    result = acli("animate", str(trained), "--timelapse", "-o", str(tmp_path / "t"))
    assert re.findall(r"^animation: (.+)$", result.output, re.M) == [str(tmp_path / "t.gif"), str(tmp_path / "t.png")]
    with Image.open(tmp_path / "t.png") as img:
        assert img.n_frames == len(grids) and img.size == Image.open(grids[-1]).size
        assert np.array_equal(_rgb(img), _rgb(Image.open(grids[0])))
        durations = [f.info["duration"] for f in ImageSequence.Iterator(img)]
        assert durations[-1] > durations[0]  # the final grid is held
    meta = read_png_text(tmp_path / "t.png")
    assert json.loads(meta["ganvas:animation"])["steps"] == [3, 6] and meta["ganvas:step"] == "6"


def test_bad_input_is_a_one_line_error(acli, trained, tmp_path):
    _one_line_error(acli("animate", str(trained), "--seeds", "4", code=2), "at least 2 keyframe seeds")
    _one_line_error(acli("animate", str(trained), "--seeds", "0-5", "--frames", "4", code=2), "cannot visit 6")
    _one_line_error(acli("animate", str(trained), "--format", "gif,webm", code=2), "unknown --format 'webm'")
    _one_line_error(acli("animate", str(trained), "--timelapse", "--seeds", "1-3", code=2), "--seeds")
    bare = tmp_path / "bare"
    shutil.copytree(trained, bare, ignore=shutil.ignore_patterns("samples"))
    _one_line_error(acli("animate", str(bare), "--timelapse", code=2), "no sample grids", "train.sample_every")
    _one_line_error(acli("animate", str(tmp_path), code=2), "not a ganvas run folder")


def test_points_runs_have_no_walk(cli, tmp_path):
    import tomli_w

    recipe = tmp_path / "ring.toml"
    recipe.write_text(
        tomli_w.dumps(tiny_recipe(data={"source": "toy2d:ring", "count": 64}, model={"name": "mlp", "z_dim": 4}))
    )
    cli("train", str(recipe), "--quiet")
    run = cli.runs_dir / "00000-tiny"
    _one_line_error(cli("animate", str(run), code=2), "animations need an image run")
    assert "animation: " in cli("animate", str(run), "--timelapse", "--format", "gif").output
