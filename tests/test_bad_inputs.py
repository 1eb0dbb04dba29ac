"""Bad input and faults, as a hostile or unlucky user makes them, grouped by command.

Every case must end in a one-line error (exit 2 for bad input, 1 for a runtime failure) or the
right behaviour, never a traceback or "unexpected", and must lose or half-make nothing.
``CASES`` counts them; the README's reliability section quotes it.
"""

from __future__ import annotations

import gzip
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
import tomli_w
import torch
from PIL import Image

from ganvas.plugin.testing import tiny_recipe

#: The bad-input and fault cases in this module (each test below says how many it holds).
CASES = 40


def bomb_png(path: Path, side: int = 60_000) -> Path:
    """A PNG whose header claims ``side`` x ``side`` pixels (a decompression bomb for Pillow)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    )
    return path


def one_line_error(result, code: int) -> str:
    """Assert a one-line ``error:`` message with exit ``code``; returns it."""
    out = result.output.strip()
    assert result.exit_code == code, out
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in out and "unexpected" not in out, out
    return errors[0]


def write(tmp_path: Path, raw: dict, name: str = "r.toml") -> Path:
    path = tmp_path / name
    path.write_text(tomli_w.dumps(raw))
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    """A tiny run to draw from (trained once for the module)."""
    from click.testing import CliRunner

    from ganvas.cli import make_cli
    from ganvas.plugin.manager import PluginHost

    root = tmp_path_factory.mktemp("trained")
    host = PluginHost(entry_points=False)
    recipe = write(root, tiny_recipe())
    result = CliRunner().invoke(make_cli(host), ["run", str(recipe), "-q"], env={"GANVAS_RUNS_DIR": str(root / "runs")})
    assert result.exit_code == 0, result.output
    return root / "runs" / "00000-tiny"


# -- ganvas run / train: 14 cases ----------------------------------------------------------------------


def test_decompression_bomb_in_a_folder_dataset_is_skipped(cli, tmp_path, caplog):
    folder = tmp_path / "pics"
    folder.mkdir()
    for i in range(4):
        Image.fromarray(np.full((20, 20, 3), 40 * i, np.uint8)).save(folder / f"ok{i}.png")
    bomb_png(folder / "bomb.png")
    raw = tiny_recipe(data={"source": f"folder:{folder}", "size": 16})
    cli("train", str(write(tmp_path, raw)), "-q")
    assert "skipped 1 unreadable image file(s)" in caplog.text and "bomb.png" in caplog.text


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("sample.seeds='0-999999999'", "name more than 10000 images"),
        ("sample.seeds='99999999999999999999'", "is too large"),
        ("train.steps=100000000000000000000", "train.steps"),
        ("train.seed=100000000000000000000", "train.seed"),
        ("model.width=100000", "model.width"),
        ("train.batch=10000000", "train.batch"),
    ],
)
def test_sizes_are_bounded_before_anything_is_allocated(cli, tiny_recipe_file, override, expected):
    started = time.perf_counter()
    result = cli("run", str(tiny_recipe_file), "--dry-run", "--set", override, code=2)
    assert expected in one_line_error(result, 2) or expected in result.output
    assert time.perf_counter() - started < 5  # refused at once, not after expanding 10^9 seeds


def test_data_the_architecture_cannot_take_is_refused_before_a_run_folder_exists(cli, tiny_recipe_file):
    result = cli("run", str(tiny_recipe_file), "--set", "data.size=24", code=2)
    line = one_line_error(result, 2)
    assert "architecture 'dcgan' needs square images of 16, 32, 64, 128 or 256 px, got 24x24" in line
    assert not cli.runs_dir.exists() or not any(cli.runs_dir.iterdir())


def test_output_into_a_missing_folder_is_refused_before_training(cli, tiny_recipe_file, tmp_path):
    result = cli("run", str(tiny_recipe_file), "-o", str(tmp_path / "nope" / "x" / "final.png"), code=2)
    assert "does not exist" in one_line_error(result, 2)
    assert not cli.runs_dir.exists() or not any(cli.runs_dir.iterdir())


def test_output_onto_an_existing_file_is_refused_and_makes_no_run_folder(cli, tiny_recipe_file, tmp_path):
    existing = tmp_path / "mine.png"
    existing.write_bytes(b"precious")
    result = cli("run", str(tiny_recipe_file), "-o", str(existing), code=2)
    assert "already exists" in one_line_error(result, 2)
    assert existing.read_bytes() == b"precious"
    assert not cli.runs_dir.exists() or not any(cli.runs_dir.iterdir())


def test_a_start_that_fails_in_its_first_step_leaves_no_run_folder(tmp_path):
    from torch import nn

    from conftest import Cli
    from ganvas import Networks, hookimpl
    from ganvas.plugin.manager import PluginHost

    class Broken(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.Linear(1, 1)

        def forward(self, x):
            if self.training:  # passes the build-time dry run (eval mode), fails in the first step
                raise RuntimeError("shapes do not fit")
            return self.layer(x.flatten(1)[:, :1])

    class Plugin:
        @hookimpl
        def register_architectures(self, register):
            register(
                "broken",
                lambda shape, **_: Networks(
                    nn.Sequential(nn.Flatten(), nn.Linear(8, 3 * 16 * 16), nn.Unflatten(1, (3, 16, 16))), Broken(), 8
                ),
            )

    cli = Cli(PluginHost(entry_points=False, extra=[Plugin()]), tmp_path / "runs")
    result = cli("train", str(write(tmp_path, tiny_recipe(model={"name": "broken"}))), "-q", code=1)
    assert "shapes do not fit" in result.output and "plugin 'Plugin' (local) failed: RuntimeError" in result.output
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_networks_that_break_the_contract_are_refused_at_build_time_naming_the_plugin(tmp_path):
    from torch import nn

    from conftest import Cli
    from ganvas import Networks, hookimpl
    from ganvas.plugin.manager import PluginHost

    class Wrong(nn.Module):  # expects 16 channels: does not fit the generator's 3
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(16, 1, 3)

        def forward(self, x):
            return self.conv(x).mean((1, 2, 3))

    class Plugin:
        @hookimpl
        def register_architectures(self, register):
            register(
                "wrong",
                lambda shape, **_: Networks(
                    nn.Sequential(nn.Linear(8, 3 * 16 * 16), nn.Unflatten(1, (3, 16, 16))), Wrong(), 8
                ),
            )

    cli = Cli(PluginHost(entry_points=False, extra=[Plugin()]), tmp_path / "runs")
    line = one_line_error(cli("train", str(write(tmp_path, tiny_recipe(model={"name": "wrong"}))), code=1), 1)
    assert (
        "architecture 'wrong' (plugin 'Plugin')" in line
        and "its discriminator on items of shape (2, 3, 16, 16)" in line
    )
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_a_run_stopped_before_its_first_checkpoint_resumes_from_step_0(cli, tiny_recipe_file):
    run = cli.runs_dir / "00000-tiny"
    cli("train", str(tiny_recipe_file), "-q", "--set", "train.steps=2", "--set", "train.checkpoint_every=0")
    for ckpt in (run / "checkpoints").glob("*.pt"):
        ckpt.unlink()  # as if killed before the first checkpoint
    result = cli("train", "--resume", str(run))
    assert "resuming at step 0" in result.output
    assert [
        int(line.split('"step": ')[1].split(",")[0]) for line in (run / "stats.jsonl").read_text().splitlines()
    ] == [2]


def test_resume_drops_stats_logged_after_the_checkpoint(cli, tiny_recipe_file):
    run = cli.runs_dir / "00000-tiny"
    cli("train", str(tiny_recipe_file), "-q", "--set", "train.checkpoint_every=3", "--set", "train.log_every=1")
    (run / "checkpoints" / "step-0000006.pt").unlink()  # killed after logging steps 4-6, before saving
    with (run / "stats.jsonl").open("a") as f:
        f.write('{"step": 7, "Loss/D"')  # and a half-written line
    cli("train", "--resume", str(run), "-q")
    steps = [int(line.split('"step": ')[1].split(",")[0]) for line in (run / "stats.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3, 4, 5, 6]


@pytest.mark.slow
def test_sigterm_saves_a_checkpoint_like_ctrl_c(tmp_path):
    recipe = write(
        tmp_path,
        tiny_recipe(name="long", train={"steps": 100_000, "checkpoint_every": 0, "sample_every": 0, "log_every": 1}),
    )
    env = {**os.environ, "GANVAS_LOAD_PLUGINS": "", "GANVAS_RUNS_DIR": str(tmp_path / "runs")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ganvas", "train", str(recipe)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stats = tmp_path / "runs" / "00000-long" / "stats.jsonl"
    deadline = time.time() + 60
    while time.time() < deadline and not (stats.exists() and stats.read_text().count("\n") >= 3):
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "(SIGTERM)" in err and "ganvas train --resume" in err and "Traceback" not in err
    assert list((tmp_path / "runs" / "00000-long" / "checkpoints").glob("step-*.pt"))


# -- ganvas sample: 6 cases ----------------------------------------------------------------------


def test_non_finite_truncation_is_refused(cli, trained):
    for value in ("nan", "inf"):
        result = cli("sample", str(trained), "--truncation", value, code=2)
        assert "Invalid value for '--truncation'" in result.output


def test_a_canvas_beyond_the_memory_budget_is_refused_before_drawing(cli, trained):
    result = cli("sample", str(trained), "--seeds", "0-35", "--size", "4096", code=2)
    assert "GB" in one_line_error(result, 2) and "--no-grid" in result.output


def test_a_malformed_run_recipe_names_the_file(cli, trained, tmp_path):
    import shutil

    copy = tmp_path / "damaged"
    shutil.copytree(trained, copy)
    (copy / "recipe.toml").write_text("name = [unclosed")
    line = one_line_error(cli("sample", str(copy), code=2), 2)
    assert "recipe.toml" in line and "malformed TOML" in line


def test_a_checkpoint_without_its_shape_or_from_other_networks_is_one_line(cli, trained, tmp_path):
    import shutil

    for damage in ("data_shape", "weights"):
        copy = tmp_path / damage
        shutil.copytree(trained, copy)
        ckpt = sorted((copy / "checkpoints").glob("*.pt"))[-1]
        state = torch.load(ckpt, weights_only=True)
        if damage == "data_shape":
            del state["data_shape"]
        else:
            state["method_state"]["G_ema"] = {"not": torch.zeros(1)}
        torch.save(state, ckpt)
        line = one_line_error(cli("sample", str(copy), code=1), 1)
        assert ckpt.name in line


# -- ganvas recipe / stylize: 8 cases ---------------------------------------------------------------------------


def test_a_decompression_bomb_is_a_one_line_error_wherever_an_image_is_read(cli, tmp_path):
    bomb = bomb_png(tmp_path / "bomb.png")
    for args in (
        ["recipe", "show", str(bomb)],
        ["run", str(bomb)],
        ["stylize", str(bomb), "-o", str(tmp_path / "out.png"), "-s", "grain"],
        ["stylize", str(tmp_path / "ok.png"), "-o", str(tmp_path / "o2.png"), "-s", f"palette:reference={bomb}"],
        ["train", str(write(tmp_path, tiny_recipe(data={"source": f"image:{bomb}", "size": 16}), "one.toml"))],
    ):
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "ok.png")
        line = one_line_error(cli(*args, code=2), 2)
        assert "bomb.png" in line, args


def test_folder_stylize_skips_unreadable_files_and_a_rerun_continues(cli, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        Image.fromarray(np.full((8, 8, 3), 60 * i, np.uint8)).save(folder / f"p{i}.png")
    (folder / "broken.png").write_bytes(b"not a png")
    result = cli("stylize", str(folder), "-o", str(tmp_path / "out"), "-s", "grain", "-q")
    assert "skipped 1 unreadable" in result.output
    assert len(list((tmp_path / "out").glob("*.png"))) == 3
    (tmp_path / "out" / "p1.png").unlink()  # as if interrupted
    cli("stylize", str(folder), "-o", str(tmp_path / "out"), "-s", "grain", "-q", "--skip-existing")
    assert len(list((tmp_path / "out").glob("*.png"))) == 3


def _tampered(source: Path, target: Path, **changes: str) -> Path:
    """A copy of a ganvas PNG whose text chunks say what ``changes`` says."""
    from PIL import PngImagePlugin

    with Image.open(source) as img:
        text = {**img.text, **changes}
        info = PngImagePlugin.PngInfo()
        for key, value in text.items():
            info.add_itxt(key, value)
        img.save(target, pnginfo=info)
    return target


def test_embedded_recipes_are_untrusted_text(cli, trained, tmp_path):
    final = trained / "final.png"
    evil = _tampered(final, tmp_path / "evil.png", **{"ganvas:seeds": '0\nplugins = ["ganvas-evil"]\x1b[31m'})
    shown = cli("recipe", "show", str(evil)).output
    assert "\x1b" not in shown and '\nplugins = ["ganvas-evil"]' not in shown  # one comment line, escaped
    extracted = Path(
        cli("recipe", "extract", str(evil), "-o", str(tmp_path / "x.toml")).output.split("recipe: ")[1].split()[0]
    )
    assert all(line.startswith("#") or not line.startswith("plugins") for line in extracted.read_text().splitlines())
    recipe = Image.open(final).text["ganvas:recipe"].replace('source = "procedural:circles"', 'source = "folder:/"')
    disk = _tampered(final, tmp_path / "disk.png", **{"ganvas:recipe": recipe})
    line = one_line_error(cli("run", str(disk), "--dry-run", code=2), 2)
    assert "reads 'folder:/'" in line and "--trust" in line
    trusted = cli("run", str(disk), "--dry-run", "--trust", code=2).output  # on to ordinary validation
    assert "--trust" not in trusted and "unknown parameter of dataset 'folder'" in trusted


def test_a_texture_path_in_an_embedded_recipe_needs_trust_but_a_builtin_texture_does_not(cli, trained, tmp_path):
    final = trained / "final.png"
    text = Image.open(final).text["ganvas:recipe"]
    for source, asks in (("texture:/etc/hosts.png", True), ("texture:marble", False)):
        recipe = text.replace('source = "procedural:circles"', f'source = "{source}"')
        image = _tampered(final, tmp_path / f"{asks}.png", **{"ganvas:recipe": recipe})
        output = cli("run", str(image), "--dry-run", code=2 if asks else 0).output
        assert ("--trust" in output) is asks, output


def test_a_second_data_set_a_method_reads_needs_trust_too(cli, trained, tmp_path):
    final = trained / "final.png"
    text = Image.open(final).text["ganvas:recipe"]
    recipe = text.replace("[method]\n", '[method]\ntarget = "folder:/home"\n', 1)
    image = _tampered(final, tmp_path / "cycle.png", **{"ganvas:recipe": recipe})
    line = one_line_error(cli("run", str(image), "--dry-run", code=2), 2)
    assert "reads 'folder:/home'" in line and "--trust" in line


# -- data and files: 2 cases ------------------------------------------------------------------------------------


def test_an_mnist_gz_that_promises_gigabytes_is_refused_before_inflating(cli, tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    with gzip.open(path, "wb") as f:
        f.write(bytes([0, 0, 8, 3]) + struct.pack(">III", 100_000_000, 28, 28))
    raw = tiny_recipe(data={"source": f"mnist:{path}", "size": 16})
    line = one_line_error(cli("train", str(write(tmp_path, raw)), "-q", code=2), 2)
    assert "promises" in line and "GB" in line


def test_a_write_that_fails_names_the_file_and_keeps_what_was_there(tmp_path):
    from ganvas.errors import GanvasError
    from ganvas.io import atomic_write

    target = tmp_path / "ckpt.pt"
    target.write_bytes(b"old")

    def full_disk(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(GanvasError, match="cannot write .*ckpt.pt.*No space left"):
        atomic_write(target, full_disk)
    assert target.read_bytes() == b"old" and not list(tmp_path.glob(".*.tmp"))


# -- ganvas install and plugin loading: 4 cases ------------------------------------------------------------------


def test_install_refuses_pip_options_and_direct_urls(cli):
    for target in ("--version", "https://example.invalid/evil.whl", "evil @ https://example.invalid/x.zip"):
        result = cli("install", "--", target, code=2)
        assert "refusing" in one_line_error(result, 2)


def test_loading_only_a_plugin_that_does_not_exist_warns(monkeypatch, capsys):
    from ganvas.plugin.manager import PluginHost

    monkeypatch.setenv("GANVAS_LOAD_PLUGINS", "nosuchplugin")
    PluginHost(entry_points=True)
    assert "'nosuchplugin', which no installed plugin is called" in capsys.readouterr().err


def test_a_stylizer_that_fails_after_training_keeps_the_run_and_says_how_to_draw(tmp_path):
    from conftest import Cli
    from ganvas import hookimpl
    from ganvas.plugin.manager import PluginHost

    def explode(images):
        raise IndexError("bad index in the stylizer")

    class Plugin:
        @hookimpl
        def register_stylizers(self, register):
            register("explode", lambda: explode, help="always fails")

    cli = Cli(PluginHost(entry_points=False, extra=[Plugin()]), tmp_path / "runs")
    result = cli("run", str(write(tmp_path, tiny_recipe(stylize=[{"name": "explode"}]))), "-q", code=1)
    line = one_line_error(result, 1)
    assert "training finished and is saved" in line and "plugin 'Plugin' (local) failed while drawing" in line
    assert "--no-stylize" in line
    cli("sample", str(tmp_path / "runs" / "00000-tiny"), "--no-stylize")  # the run is intact


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (
            lambda images: images[:, :, : images.shape[2] // 2],
            "keeps the batch, the channels (unless it sets changes_channels = True) and the aspect ratio",
        ),
        (lambda images: images * float("nan"), "NaN or infinite"),
    ],
    ids=["half-height", "nan"],
)
def test_the_stylizer_contract_is_checked_where_it_is_crossed(tmp_path, broken, expected):
    from conftest import Cli
    from ganvas import hookimpl
    from ganvas.plugin.manager import PluginHost

    class Plugin:
        @hookimpl
        def register_stylizers(self, register):
            register("broken", lambda: broken, help="breaks the contract")

    picture = tmp_path / "in.png"
    Image.fromarray(np.full((12, 16, 3), 99, np.uint8)).save(picture)
    cli = Cli(PluginHost(entry_points=False, extra=[Plugin()]), tmp_path / "runs")
    line = one_line_error(cli("stylize", str(picture), "-o", str(tmp_path / "out.png"), "-s", "broken", code=1), 1)
    assert expected in line and not (tmp_path / "out.png").exists()


def test_an_unknown_name_says_when_a_plugin_that_failed_to_load_is_the_likely_reason(tmp_path):
    from conftest import Cli
    from ganvas import hookimpl
    from ganvas.plugin.manager import PluginHost

    class Tinkerer:
        @hookimpl
        def register_architectures(self, register):
            raise ImportError("No module named 'scipy'")

    cli = Cli(PluginHost(entry_points=False, extra=[Tinkerer()], warn=False), tmp_path / "runs")
    line = one_line_error(cli("run", str(write(tmp_path, tiny_recipe(model={"name": "resgan"}))), code=2), 2)
    assert "unknown architecture 'resgan'" in line
    assert "plugin 'Tinkerer' (local) is installed but failed to load" in line and "scipy" in line


def test_an_images_recipe_shows_without_its_plugins_and_sample_checks_them(cli, trained, tmp_path):
    import shutil

    final = trained / "final.png"
    recipe = Image.open(final).text["ganvas:recipe"]
    needy = _tampered(
        final, tmp_path / "needy.png", **{"ganvas:recipe": 'plugins = ["ganvas-tinkerer>=0.1"]\n' + recipe}
    )
    shown = cli("recipe", "show", str(needy)).output
    assert "# note: shown as written, not validated" in shown and "ganvas-tinkerer" in shown
    copy = tmp_path / "run"
    shutil.copytree(trained, copy)
    (copy / "recipe.toml").write_text('plugins = ["ganvas-tinkerer>=0.1"]\n' + (copy / "recipe.toml").read_text())
    line = one_line_error(cli("sample", str(copy), code=2), 2)
    assert "ganvas-tinkerer" in line and "ganvas install" in line
