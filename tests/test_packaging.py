"""The built wheel installs `ganvas`, `ganvas.plugins` and `ganvas.recipes`, and nothing bare."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_ganvas_packages_only(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (wheel,) = wheels.glob("ganvas-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"ganvas", next(t for t in tops if t.endswith(".dist-info"))}, tops
    assert "ganvas/plugins/models/dcgan.py" in names and "ganvas/recipes/default.toml" in names
    assert "ganvas/hookspecs.py" in names

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, text=True)
    env = {**os.environ, "PYTHONPATH": str(target), "GANVAS_LOAD_PLUGINS": ""}
    code = ("import ganvas, ganvas.plugins.models, ganvas.recipe.schema as r; print(ganvas.__file__); "
            "print(sorted(r.builtin_recipes()))")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, check=True,
                         capture_output=True, text=True).stdout
    assert out.splitlines()[0].startswith(str(target))
    assert "default" in out
    listing = subprocess.run([sys.executable, "-m", "ganvas", "list", "architectures"], env=env, cwd=tmp_path,
                             check=True, capture_output=True, text=True).stdout
    assert "dcgan" in listing and "mlp" in listing
