"""The plugin path as a new user walks it, in a real virtual environment.

From a copy of this checkout: scaffold a plugin, install it, see it in `ganvas plugins`, run its
tests, use its stylizer in a recipe and in `ganvas stylize`, uninstall it, with two broken
plugins (one fails to import, one registers an invalid parameter) installed beside it all along.

How the environment is made, and why: `python -m venv --without-pip` creates a real venv in
well under a second, and a `.pth` file in its site-packages puts the test environment's
site-packages on its path, as plain path entries. That supplies torch, kornia, click, pluggy,
packaging, setuptools and pip itself without copying gigabytes or touching the network. Plain
entries do not run the parent's own `.pth` files, so a parent's editable ganvas is not
activated; ganvas is built from the copied checkout and installed into the venv's own
site-packages, with the venv's own `ganvas` script. Everything `ganvas install` does goes through
`venv/bin/python -m pip`, which installs into the venv (checked below), never into the parent.
Local projects are built with `--no-build-isolation` and pip runs with `PIP_NO_INDEX=1`, so
the test works offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomli_w

from ganvas.plugin.testing import tiny_recipe

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
#: What building ganvas needs from a clone (see pyproject.toml's package-dir and readme).
SOURCES = ("pyproject.toml", "README.md", "core", "plugins", "gallery/recipes")

BROKEN_IMPORT = "import a_module_that_is_not_installed\n"
BAD_PARAM = """
from ganvas import Param, hookimpl

@hookimpl
def register_stylizers(register):
    register("bad", lambda radius: None, params=[Param("radius", "int", 3, "a type given as a string")])
"""


@dataclass
class Venv:
    root: Path
    site: Path
    work: Path

    @property
    def bin(self) -> Path:
        return self.root / ("Scripts" if os.name == "nt" else "bin")

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("GANVAS_LOAD_PLUGINS", "GANVAS_STRICT_PLUGINS", "PYTHONPATH", "VIRTUAL_ENV")
        }
        env.update(
            PIP_NO_INDEX="1",
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            GANVAS_RUNS_DIR=str(self.work / "runs"),
            PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '')}",
        )
        env.update(extra)
        return env

    def run(self, *args: str, code: int = 0, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(a) for a in args],
            cwd=cwd or self.work,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != code:
            raise AssertionError(
                f"{' '.join(map(str, args))} exited {done.returncode}, expected {code}\n"
                f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
            )
        return done

    def ganvas(self, *args: str, code: int = 0, **env: str) -> subprocess.CompletedProcess:
        return self.run(str(self.bin / "ganvas"), *args, code=code, **env)


def _plugin_project(parent: Path, dist: str, source: str) -> Path:
    """A minimal pip-installable plugin project whose one module holds ``source``."""
    module = dist.replace("-", "_")
    root = parent / dist
    root.mkdir()
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    (root / "pyproject.toml").write_text(
        textwrap.dedent(f'''
        [build-system]
        requires = ["setuptools>=64"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{dist}"
        version = "0.0.1"

        [project.entry-points.ganvas]
        {module.removeprefix("ganvas_").replace("_", "-")} = "{module}"

        [tool.setuptools]
        py-modules = ["{module}"]
    ''')
    )
    return root


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    base = tmp_path_factory.mktemp("acceptance")
    clone = base / "clone"
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, clone / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    root = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    parent = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "_ganvas_test_parent_env.pth").write_text("\n".join(parent) + "\n")
    work = base / "work"
    work.mkdir()
    env = Venv(root, site, work)
    env.run(str(python), "-m", "pip", "install", "--no-deps", "--no-build-isolation", "-q", str(clone))
    return env


def test_a_new_user_scaffolds_installs_uses_and_uninstalls_a_plugin(venv: Venv) -> None:
    python = str(venv.bin / "python")
    out = venv.run(python, "-c", "import ganvas; print(ganvas.__file__)").stdout
    assert out.startswith(str(venv.site)), out  # the ganvas under test is the venv's own

    # two broken plugins, installed first: they must not get in the way of anything below
    for dist, source in (("ganvas-broken-import", BROKEN_IMPORT), ("ganvas-bad-param", BAD_PARAM)):
        _plugin_project(venv.work, dist, source)
    done = venv.ganvas("install", "--no-build-isolation", "./ganvas-broken-import", "./ganvas-bad-param")
    assert "plugin 'broken-import' (ganvas-broken-import 0.0.1) was installed but fails to load" in done.stderr
    assert "plugin 'bad-param' (ganvas-bad-param 0.0.1) was installed but fails to load" in done.stderr

    # scaffold, install editable: pip output streams, then what the plugin registered
    venv.ganvas("plugins", "new", "neon")
    done = venv.ganvas("install", "--no-build-isolation", "-e", "ganvas-neon")
    assert "Successfully installed ganvas-neon-0.1.0" in done.stdout
    assert "installed plugin 'neon' 0.1.0 (ganvas-neon): losses: neon-hinge; stylizers: neon-glow" in done.stdout
    assert list(venv.site.glob("ganvas_neon-0.1.0*-info")), "pip installed outside the venv"

    # every command still works, with one warning line per broken plugin
    done = venv.ganvas("--help")
    warnings = done.stderr.strip().splitlines()
    assert len(warnings) == 2 and all(w.startswith("warning: plugin '") for w in warnings), done.stderr
    assert all("GANVAS_LOAD_PLUGINS='neon'" in w for w in warnings)
    assert "No module named 'a_module_that_is_not_installed'" in done.stderr
    assert "Param 'radius': type must be one of" in done.stderr
    rows = {row["name"]: row for row in json.loads(venv.ganvas("plugins", "--json").stdout)}
    assert rows["neon"]["components"] == ["losses:neon-hinge", "stylizers:neon-glow"]
    assert rows["neon"]["package"] == "ganvas-neon" and rows["neon"]["version"] == "0.1.0"
    assert rows["broken-import"]["error"] and rows["bad-param"]["error"]
    assert "neon-glow  [neon]" in venv.ganvas("list", "stylizers").stdout

    # the scaffold's own tests pass unmodified
    venv.run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=venv.work / "ganvas-neon")

    # a recipe that names the plugin and uses its stylizer (and its loss)
    recipe = tiny_recipe(loss={"name": "neon-hinge"}, stylize=[{"name": "neon-glow", "color": "#00ffcc"}])
    recipe["plugins"] = ["ganvas-neon>=0.1"]
    (venv.work / "glow.toml").write_text(tomli_w.dumps(recipe))
    done = venv.ganvas("run", "glow.toml", "--quiet")
    image = Path(done.stdout.strip().splitlines()[-1].removeprefix("image: "))
    assert image.is_file()
    from ganvas.io.images import read_png_text

    text = read_png_text(image)
    assert 'name = "neon-glow"' in text["ganvas:recipe"] and "neon 0.1.0" in text["ganvas:versions"]

    # ... and in `ganvas stylize` (the command comes from the built-in stylizers plugin)
    has_stylize = "stylize" in venv.ganvas("--help").stdout
    if has_stylize:
        venv.ganvas("stylize", str(image), "-o", "styled.png", "-s", "neon-glow:color=#ffd000,radius=3")
        assert (venv.work / "styled.png").read_bytes() != image.read_bytes()

    # strict mode: the broken plugins are one error line, exit code 1
    done = venv.ganvas("plugins", code=1, GANVAS_STRICT_PLUGINS="1")
    assert done.stderr.startswith("error: 2 plugins failed: ") and len(done.stderr.strip().splitlines()) == 1

    # ganvas itself is off limits
    assert "refusing to install" in venv.ganvas("install", "ganvas", code=2).stderr
    assert "refusing to uninstall" in venv.ganvas("uninstall", "-y", "ganvas", code=2).stderr

    # uninstall: the plugin is gone, and the recipe says how to get it back
    done = venv.ganvas("uninstall", "-y", "neon")
    assert "removed plugin 'neon' (ganvas-neon 0.1.0)" in done.stdout
    assert "neon" not in {row["name"] for row in json.loads(venv.ganvas("plugins", "--json").stdout)}
    done = venv.ganvas("run", "glow.toml", code=2)
    assert "install with: ganvas install 'ganvas-neon>=0.1'" in done.stderr

    # the broken plugins uninstall like any other
    done = venv.ganvas("uninstall", "-y", "ganvas-broken-import", "bad-param")
    assert "removed plugin 'broken-import'" in done.stdout and "removed plugin 'bad-param'" in done.stdout
    assert venv.ganvas("--help").stderr == ""
    if not has_stylize:
        pytest.skip(
            "everything else passed; `ganvas stylize` does not exist in this checkout, so that step did not run"
        )
