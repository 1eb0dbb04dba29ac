"""The built wheel installs `ganvas`, `ganvas.plugins` and `ganvas.recipes`, and nothing bare."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_ganvas_packages_only(tmp_path):
    # from a copy without build/ or .venv/: a stale build/lib would leak removed modules into the wheel
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "runs"),
    )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = wheels.glob("ganvas-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"ganvas", next(t for t in tops if t.endswith(".dist-info"))}, tops
    assert "ganvas/plugins/models/dcgan.py" in names and "ganvas/recipes/default.toml" in names
    # every module of the source tree is in the wheel, under its import name, and nothing else is
    expected = {"ganvas/" + p.relative_to(ROOT / "core").as_posix() for p in (ROOT / "core").rglob("*.py")}
    expected |= {
        "ganvas/plugins/" + p.relative_to(ROOT / "plugins").as_posix() for p in (ROOT / "plugins").rglob("*.py")
    }
    expected |= {
        "ganvas/recipes/" + p.relative_to(ROOT / "gallery/recipes").as_posix()
        for p in (ROOT / "gallery/recipes").rglob("*.py")
    }
    assert {n for n in names if n.endswith(".py")} == expected
    assert "ganvas/py.typed" in names

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target), "GANVAS_LOAD_PLUGINS": ""}
    code = (
        "import ganvas, ganvas.plugins.models, ganvas.recipe as r; print(ganvas.__file__); "
        "print(sorted(r.builtin_recipes()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, check=True, capture_output=True, text=True
    ).stdout
    assert out.splitlines()[0].startswith(str(target))
    assert "default" in out
    listing = subprocess.run(
        [sys.executable, "-m", "ganvas", "list", "architectures"],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "dcgan" in listing and "mlp" in listing
