"""Shared by the gallery tests: a tiny gallery (one image recipe, one 2-D point recipe), built for real."""

from __future__ import annotations

from pathlib import Path

import tomli_w

from conftest import Cli
from ganvas.plugin.manager import PluginHost
from ganvas.plugin.testing import tiny_recipe

REPO_GALLERY = Path(__file__).resolve().parents[1] / "gallery"
DESCRIPTION = 'Tiny <circles> & "friends" | a test'


def write_recipe(root: Path, name: str, raw: dict) -> Path:
    path = root / "recipes" / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(raw))
    return path


def make_gallery(root: Path) -> Path:
    """``root/recipes`` with ``tiny`` (16-px DCGAN images) and ``ring`` (an MLP on 2-D points)."""
    write_recipe(root, "tiny", tiny_recipe(description=DESCRIPTION))
    write_recipe(
        root,
        "ring",
        tiny_recipe(
            name="ring",
            data={"source": "toy2d:ring", "count": 256},
            model={"name": "mlp", "width": 16, "depth": 2, "z_dim": 2},
            sample={"seeds": "0-63"},
        ),
    )
    return root


def build_tiny_gallery(root: Path, runs: Path) -> tuple[Path, str]:
    """Make and build a tiny gallery in ``root``; returns it and the command's output."""
    make_gallery(root)
    cli = Cli(PluginHost(entry_points=False), runs)
    result = cli("gallery", "build", "--gallery", str(root), "--runs-dir", str(runs))
    return root, result.output
