import json
import re

import pytest

from ganvas import __version__
from ganvas.io.images import read_png_text


def test_version_and_help(cli):
    assert cli("--version").output.strip() == f"ganvas {__version__}"
    text = cli("-h").output
    for command in ("run", "train", "sample", "list", "plugins", "recipes", "bench"):
        assert re.search(rf"^\s+{command}\s", text, re.M), command
    assert "loop" in cli("bench", "-h").output  # added by a built-in plugin's register_commands


def test_list_text_and_json(cli):
    text = cli("list").output
    assert "dcgan" in text and "nonsaturating" in text and "procedural" in text and "width" in text
    stylizers = json.loads(cli("list", "stylizers", "--json").output)
    assert {"oil", "ink", "palette"} <= {c["name"] for c in stylizers}
    assert all(c["kind"] == "stylizers" and c["plugin"] for c in stylizers)
    losses = json.loads(cli("list", "loss", "--json").output)
    assert {"minimax", "nonsaturating", "lsgan", "hinge", "wgan", "wgan-gp", "relativistic"} <= {
        c["name"] for c in losses
    }
    arch = {c["name"]: c for c in json.loads(cli("list", "architectures", "--json").output)}
    assert {"name": "width", "type": "integer", "default": 64}.items() <= arch["dcgan"]["params"][1].items()
    assert "[train]" in cli("list", "recipe").output


def test_unknown_kind_is_a_usage_error(cli):
    result = cli("list", "stylers", code=2)
    assert "did you mean 'stylizers'" in result.output and "Traceback" not in result.output


def test_plugins_and_recipes(cli):
    out = json.loads(cli("plugins", "--json").output)
    names = {p["name"] for p in out}
    assert "ganvas.plugins.models" in names
    models = next(p for p in out if p["name"] == "ganvas.plugins.models")
    assert models["hooks"] == ["register_architectures"] and "architectures:dcgan" in models["components"]
    assert "default" in cli("recipes").output
    assert any(r["name"] == "default" for r in json.loads(cli("recipes", "--json").output))


def test_dry_run_prints_resolved_recipe_and_writes_nothing(cli, tiny_recipe_file):
    out = cli("run", str(tiny_recipe_file), "--dry-run", "--set", "train.steps=9").output
    assert "steps = 9" in out and "max_width = 512" in out
    assert not cli.runs_dir.exists()


def test_bad_recipe_is_a_one_line_usage_error(cli, tiny_recipe_file):
    result = cli("run", str(tiny_recipe_file), "--set", "train.steps=-1", code=2)
    assert (
        result.output.startswith("error: ")
        and "train.steps: expected integer in [1, 1000000000], got -1" in result.output
    )
    assert "Traceback" not in result.output
    result = cli("run", "nonexistent.toml", code=2)
    assert "unknown recipe" in result.output and "default" in result.output


def test_run_trains_samples_and_prints_the_image(cli, tiny_recipe_file):
    result = cli("run", str(tiny_recipe_file), "--quiet")
    image = re.search(r"^image: (.+)$", result.output, re.M).group(1)
    run_dir = cli.runs_dir / "00000-tiny"
    assert image == str(run_dir / "final.png")
    assert {p.name for p in run_dir.iterdir()} >= {"recipe.toml", "stats.jsonl", "samples", "checkpoints", "final.png"}
    meta = read_png_text(run_dir / "final.png")
    assert "[train]" in meta["ganvas:recipe"] and meta["ganvas:seeds"] == "0,1,2,3" and meta["ganvas:step"] == "6"
    # a second run never reuses the folder
    cli("run", str(tiny_recipe_file), "--quiet")
    assert (cli.runs_dir / "00001-tiny" / "final.png").is_file()


def test_train_resume_extends_and_sample_seeds(cli, tiny_recipe_file):
    cli("train", str(tiny_recipe_file), "--quiet")
    run = cli.runs_dir / "00000-tiny"
    out = cli("train", "--resume", str(run), "--set", "train.steps=8", "--quiet").output
    assert "step-0000008.pt" in out
    assert "steps = 8" in (run / "recipe.toml").read_text()
    result = cli("train", "--resume", "0", "--set", "model.width=16", code=2)
    assert "only these may change" in result.output

    out = cli("sample", "tiny", "--seeds", "0-5").output
    path = out.split("image: ")[1].strip()
    assert path.endswith("sample-0-5-step0000008.png")
    assert read_png_text(__import__("pathlib").Path(path))["ganvas:seeds"] == "0,1,2,3,4,5"
    again = cli("sample", "tiny", "--seeds", "0-5").output
    assert again.split("image: ")[1].strip().endswith("-2.png")  # never overwrites

    out = cli("sample", "latest", "--seeds", "3,7", "--no-grid", "-o", str(run / "singles")).output
    assert "2 images" in out
    assert sorted(p.name for p in (run / "singles").iterdir()) == ["seed0003.png", "seed0007.png"]


def test_sample_errors(cli, tiny_recipe_file, tmp_path):
    result = cli("sample", "nothing-here", code=2)
    assert "no run 'nothing-here'" in result.output
    cli("train", str(tiny_recipe_file), "--quiet")
    result = cli("sample", "0", "--seeds", "5-1", code=2)
    assert "runs backwards" in result.output
    existing = tmp_path / "taken.png"
    existing.write_bytes(b"keep me")
    result = cli("sample", "0", "-o", str(existing), code=2)
    assert "--force" in result.output and existing.read_bytes() == b"keep me"


def test_device_that_is_missing_is_a_clear_error(cli, tiny_recipe_file):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    result = cli("run", str(tiny_recipe_file), "--device", "cuda", code=2)
    assert "sees no CUDA GPU" in result.output


def test_unexpected_errors_are_one_line_unless_debug(cli, tiny_recipe_file, monkeypatch):
    from ganvas.training import loop as trainer

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(trainer.Trainer, "run", boom)
    result = cli("run", str(tiny_recipe_file), "-q", code=1)
    assert "error: unexpected RuntimeError: kaboom (run again with --debug" in result.output
    result = cli("--debug", "run", str(tiny_recipe_file), "-q", code=1)
    assert isinstance(result.exception, RuntimeError)


def test_help_does_not_import_torch():
    import subprocess
    import sys

    code = (
        "import sys; from ganvas.plugin.manager import get_host; from ganvas.cli import make_cli; "
        "make_cli(get_host()); print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "GANVAS_LOAD_PLUGINS": ""},
    ).stdout
    assert out.strip() == "False"  # `ganvas --help` stays fast
