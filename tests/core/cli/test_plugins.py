"""`ganvas plugins new`, `ganvas install` / `uninstall`, recipe requirements, and ganvas.plugin.testing."""

import importlib
import json
import re
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

import pytest
import tomli_w

import ganvas
from conftest import install_fake_dist
from ganvas.cli import install as plugins_cli
from ganvas.errors import UserInputError
from ganvas.plugin.manager import PluginLoadError
from ganvas.plugin.requirements import check_requirements
from ganvas.plugin.testing import PluginTester, check_stylizer, tiny_recipe, use_plugins

ROOT = Path(__file__).resolve().parents[3]


# -- ganvas plugins new ----------------------------------------------------------------------------


@contextmanager
def importable(root):
    """``root`` on sys.path while the block runs; its modules forgotten after."""
    sys.path.insert(0, str(root))
    try:
        yield root
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.startswith(("ganvas_neon", "test_neon"))]:
            del sys.modules[name]


@pytest.fixture
def scaffold(cli, tmp_path):
    """``ganvas plugins new neon`` in tmp_path; yields the project folder, importable."""
    out = cli("plugins", "new", "neon", "--dir", str(tmp_path)).output
    root = tmp_path / "ganvas-neon"
    assert f"created {root}/" in out and f"ganvas install -e {root}" in out
    with importable(root):
        yield root


EVERY_KIND = "architecture,dataset,stylizer,callback,command,loss"


@pytest.fixture
def full_scaffold(cli, tmp_path):
    """``ganvas plugins new neon --with`` every kind, importable, its entry point as if installed."""
    out = cli("plugins", "new", "neon", "--dir", str(tmp_path), "--with", EVERY_KIND).output
    root = tmp_path / "ganvas-neon"
    assert "'neon', with the architecture neon-net, the dataset neon-blobs, the stylizer neon-glow" in out
    assert "ganvas list stylizers" in out and "ganvas neon-info" in out
    info = root / "ganvas_neon-0.1.0.dist-info"  # what `pip install -e` would add, minus pip
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ganvas-neon\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[ganvas]\nneon = ganvas_neon\n")
    with importable(root):
        yield root


def test_new_writes_a_complete_plugin_project(scaffold):
    files = sorted(str(p.relative_to(scaffold)) for p in scaffold.rglob("*") if p.is_file())
    assert files == [
        ".gitignore",
        "README.md",
        "ganvas_neon/__init__.py",
        "ganvas_neon/losses.py",
        "ganvas_neon/stylizers.py",
        "pyproject.toml",
        "tests/test_neon.py",
    ]
    for path in scaffold.rglob("*"):
        if path.is_file():
            assert "{{" not in path.read_text(), path
    import tomllib

    project = tomllib.loads((scaffold / "pyproject.toml").read_text())["project"]
    assert project["name"] == "ganvas-neon"
    assert project["entry-points"]["ganvas"] == {"neon": "ganvas_neon"}
    assert any(dep.startswith("ganvas") for dep in project["dependencies"])
    assert "use_plugins" in (scaffold / "tests/test_neon.py").read_text()


def test_the_scaffolded_components_work_and_import_torch_only_when_used(scaffold):
    import ganvas_neon

    assert not any(m.startswith("ganvas_neon.") for m in sys.modules)  # the hooks module stays light
    with use_plugins(ganvas_neon) as g:
        assert g.component("stylizers", "neon-glow").plugin == "ganvas_neon"
        check_stylizer(g.build("stylizers", "neon-glow"))
        check_stylizer(g.build("stylizers", "neon-glow", color="#00ffcc", radius=0.5, strength=10.0))
        loss = g.build("losses", "neon-hinge", margin=0.5)
        import torch

        d = loss.d_loss(torch.tensor([2.0, 0.0]), torch.tensor([-2.0, 0.0]))
        assert float(d) == pytest.approx(0.5)  # (0 + 0.5) / 2 + (0 + 0.5) / 2
        assert repr(g.build("stylizers", "neon-glow")).startswith("NeonGlow(color='#ff2bd6'")


def test_new_with_every_kind_writes_components_whose_tests_pass(full_scaffold):
    files = sorted(str(p.relative_to(full_scaffold)) for p in full_scaffold.rglob("*.py"))
    modules = ["architectures", "callbacks", "commands", "datasets", "losses", "stylizers"]
    assert files == ["ganvas_neon/__init__.py", *(f"ganvas_neon/{m}.py" for m in modules), "tests/test_neon.py"]
    for path in full_scaffold.rglob("*"):
        if path.is_file():
            assert "{{" not in path.read_text(), path
    tests = (full_scaffold / "tests/test_neon.py").read_text()
    for check in ("architecture", "dataset", "stylizer", "loss", "callback"):
        assert f"check_{check}(" in tests
    import ganvas_neon

    assert not any(m.startswith("ganvas_neon.") for m in sys.modules)  # the hooks module stays light
    with use_plugins(ganvas_neon) as g:
        kinds = {c.kind for c in g.host.components_of("ganvas_neon")}
        assert kinds == {"architectures", "datasets", "stylizers", "losses", "callbacks"}
        assert "ganvas-neon 0.1.0 (plugin neon)" in g.invoke("neon-info").output
    assert pytest.main(["-q", "-p", "no:cacheprovider", str(full_scaffold / "tests")]) == 0


def test_new_with_picks_the_components_and_the_default_is_stylizer_and_loss(cli, tmp_path):
    cli("plugins", "new", "neon", "--dir", str(tmp_path / "default"))
    cli("plugins", "new", "neon", "--dir", str(tmp_path / "same"), "--with", " Loss,stylizer,loss")
    default, same = (sorted((tmp_path / d).rglob("*.*")) for d in ("default", "same"))
    assert [p.read_bytes() for p in default] == [p.read_bytes() for p in same]
    out = cli("plugins", "new", "neon", "--dir", str(tmp_path / "loss"), "--with", "loss").output
    assert "ganvas list losses" in out and "stylizer" not in out
    root = tmp_path / "loss" / "ganvas-neon"
    assert sorted(p.name for p in (root / "ganvas_neon").iterdir()) == ["__init__.py", "losses.py"]
    assert "kornia" not in (root / "pyproject.toml").read_text()
    assert "check_loss(" in (root / "tests" / "test_neon.py").read_text()


def test_new_with_an_unknown_kind_is_a_usage_error(cli, tmp_path):
    for given, what in (("stylizer,lose", "unknown kind 'lose'"), (",", "no kind given")):
        out = cli("plugins", "new", "neon", "--dir", str(tmp_path), "--with", given, code=2).output
        errors = [line for line in out.splitlines() if line.startswith("Error:")]
        assert errors == [
            f"Error: Invalid value for '--with': {what}; "
            "choose from architecture, dataset, stylizer, loss, callback, command (comma-separated)"
        ]
    assert not (tmp_path / "ganvas-neon").exists()


def test_new_refuses_to_overwrite_and_validates_the_name(cli, tmp_path):
    cli("plugins", "new", "pixel-sort", "--dir", str(tmp_path))
    assert (tmp_path / "ganvas-pixel-sort" / "ganvas_pixel_sort" / "__init__.py").is_file()
    assert "already exists" in cli("plugins", "new", "ganvas-pixel-sort", "--dir", str(tmp_path), code=2).output
    for bad in ("Neon", "9lives", "neon--x", "neon_x", "x!", "a" * 41):
        out = cli("plugins", "new", bad, "--dir", str(tmp_path), code=2).output
        assert out.startswith("error: invalid plugin name") and "lowercase letters, digits and single hyphens" in out
        assert len(out.strip().splitlines()) == 1


# -- ganvas install / uninstall (pip replaced by a fake that writes dist-info folders) --------------


@pytest.fixture
def fake_pip(tmp_path, monkeypatch):
    """Replaces pip: `install X` writes a dist-info for plugin X on sys.path, `uninstall` removes it."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    calls = []

    def pip(*args):
        calls.append(list(args))
        if args[0] == "install":
            for target in [a for a in args[1:] if Path(a).name.startswith("ganvas-") and not a.endswith(".txt")]:
                name = Path(target).name.removeprefix("ganvas-")
                install_fake_dist(site, name, f"{name}_fake", "from ganvas import hookimpl\n")
        else:
            for info in site.glob("*.dist-info"):
                if info.name.split("-")[0].replace("_", "-") in args:
                    for f in info.iterdir():
                        f.unlink()
                    info.rmdir()

    monkeypatch.setattr(plugins_cli, "_pip", pip)
    monkeypatch.setattr(
        plugins_cli,
        "_load_report",
        lambda names: {n: {"error": None, "components": [f"stylizers:{n}-fx"]} for n in names},
    )
    return calls


def test_install_reports_new_plugins_and_uninstall_removes_them(cli, fake_pip, tmp_path):
    out = cli("install", "--no-build-isolation", "-e", str(tmp_path / "ganvas-neon")).output
    assert "installed plugin 'neon' 1.2.3 (ganvas-neon): stylizers: neon-fx" in out
    args = fake_pip[0]
    assert args[:3] == ["install", "--no-build-isolation", "--constraint"] and args[-2:] == [
        "--editable",
        str(tmp_path / "ganvas-neon"),
    ]
    assert (
        "no ganvas plugin was added or changed" in cli("install", "--no-deps", "somepackage-that-is-no-plugin").output
    )

    declined = PluginTester(cli.host, cli.runs_dir).invoke("uninstall", "neon", input="n\n", code=1)
    out = declined.output  # asked, declined: nothing happens
    assert "Uninstall ganvas-neon 1.2.3 (plugin neon)?" in out and len(fake_pip) == 2
    out = cli("uninstall", "-y", "neon").output  # by plugin name; the package is what pip removes
    assert fake_pip[-1] == ["uninstall", "--yes", "ganvas-neon"]
    assert "removed plugin 'neon' (ganvas-neon 1.2.3)" in out


def test_install_and_uninstall_refuse_ganvas_itself(cli, fake_pip):
    for target in (["ganvas"], ["GANVAS[test]>=0.1"], [str(ROOT)], ["-e", str(ROOT)]):
        out = cli("install", *target, code=2).output
        assert "refusing to install" in out and "it is ganvas itself" in out
    for name in ("ganvas", "click", "torch"):
        assert "refusing to uninstall" in cli("uninstall", "-y", name, code=2).output
    assert fake_pip == []
    assert "give a plugin NAME" in cli("install", code=2).output


def test_uninstall_of_something_not_installed_suggests_the_installed_plugins(cli, fake_pip):
    cli("install", "ganvas-neon")
    out = cli("uninstall", "-y", "ganvas-noen", code=2).output
    assert "'ganvas-noen' is not installed" in out and "did you mean 'ganvas-neon'" in out


def test_pip_failure_and_missing_pip_are_one_line_errors(cli, monkeypatch):
    monkeypatch.setattr(plugins_cli.importlib.util, "find_spec", lambda name: None)
    out = cli("install", "ganvas-neon", code=1).output
    assert out.strip().startswith("error: pip is not installed in ganvas's environment")
    monkeypatch.undo()
    real_popen = subprocess.Popen
    monkeypatch.setattr(
        plugins_cli.subprocess,
        "Popen",
        lambda *a, **k: real_popen([sys.executable, "-c", "print('pip says no'); raise SystemExit(3)"], **k),
    )
    out = cli("install", "ganvas-neon", code=1).output
    assert "pip says no" in out and "error: pip install failed (exit code 3); its output is above" in out


# -- recipes name their plugins -------------------------------------------------------------------


def test_check_requirements():
    check_requirements(["pluggy>=1", "click", "nothing-at-all; python_version < '3'"])  # satisfied or skipped
    with pytest.raises(UserInputError) as missing:
        check_requirements(["ganvas-nothing>=0.2", "pluggy>=999", "click>=1"])
    message = str(missing.value)
    assert "needs the plugins ganvas-nothing>=0.2 (not installed), pluggy>=999 (" in message
    assert message.endswith("install with: ganvas install 'ganvas-nothing>=0.2' 'pluggy>=999'")
    with pytest.raises(UserInputError, match="not a valid requirement"):
        check_requirements(["ganvas neon"])
    check_requirements("not a list")  # left to the recipe's own validation


def test_check_requirements_accepts_a_plugin_name(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    install_fake_dist(tmp_path, "glowy", "glowy_fake", "", dist="ganvas-glow-pack", version="0.3")
    check_requirements(["glowy>=0.3", "ganvas-glow-pack>=0.3", "Ganvas_Glow.Pack"])
    with pytest.raises(UserInputError, match=r"glowy>=1 \(0.3 is installed\)"):
        check_requirements(["glowy>=1"])


def test_a_recipe_with_a_missing_plugin_says_how_to_install_it(cli, tmp_path):
    recipe = tiny_recipe(stylize=[{"name": "neon-glow"}])
    recipe["plugins"] = ["ganvas-neon>=0.2"]
    path = tmp_path / "needs-neon.toml"
    path.write_text(tomli_w.dumps(recipe))
    out = cli("run", str(path), "--dry-run", code=2).output
    assert out.strip() == (
        "error: this recipe needs the plugin ganvas-neon>=0.2 (not installed); "
        "install with: ganvas install 'ganvas-neon>=0.2'"
    )
    recipe["plugins"] = ["pluggy>=1"]
    path.write_text(tomli_w.dumps({**recipe, "stylize": []}))
    assert 'plugins = [\n    "pluggy>=1",\n]' in cli("run", str(path), "--dry-run").output


# -- ganvas.plugin.testing and the public API -------------------------------------------------------------


class Shaky:
    """A deliberately wrong stylizer, in one of several ways."""

    def __init__(self, how):
        self.how = how

    def __call__(self, images):
        if self.how == "in-place":
            return images.mul_(0.5)
        if self.how == "batch":
            return images / images.max()
        if self.how == "range":
            return images * 2
        if self.how == "shape":
            return images[:, :1]
        return images.clone()


@pytest.mark.parametrize(
    "how, complaint",
    [
        ("in-place", "changed its input in place"),
        ("batch", "depends on the other images"),
        ("range", "expected [0, 1]"),
        ("shape", "expected the same shape"),
    ],
)
def test_check_stylizer_names_what_is_wrong(how, complaint):
    check_stylizer(Shaky("fine"))
    with pytest.raises(AssertionError, match=re.escape(complaint)):
        check_stylizer(Shaky(how))


def test_use_plugins_registers_temporarily_and_invoke_reports_failures():
    from ganvas import Param, hookimpl
    from ganvas.plugin.manager import get_host

    class Plugin:
        @hookimpl
        def register_stylizers(self, register):
            register("shaky", Shaky, params=[Param("how", str, "fine", "how to be wrong")])

    before = get_host()
    with use_plugins(Plugin()) as g:
        assert get_host() is g.host and "shaky" in g.invoke("list", "stylizers").output
        assert g.build("stylizers", "shaky", how="range").how == "range"
        with pytest.raises(AssertionError, match="exited 2, expected 0") as failed:
            g.invoke("list", "nonsense")
        assert "unknown kind 'nonsense'" in str(failed.value)
    assert get_host() is before

    class Broken:
        @hookimpl
        def register_stylizers(self, register):
            register("bad", Shaky, params=[Param("how", str, 3, "wrong default type")])

    with pytest.raises(PluginLoadError, match="plugin 'Broken' .* expected string, got 3") as caught:
        with use_plugins(Broken()):
            pass
    assert caught.value.__cause__ is not None  # the plugin's own traceback comes along


def test_public_api_is_importable_and_import_ganvas_stays_cheap():
    for name in ganvas.__all__:
        assert getattr(ganvas, name) is not None, name
    assert ganvas.LogitLoss is importlib.import_module("ganvas.training.components").LogitLoss
    code = "import sys, ganvas; ganvas.Param; ganvas.hookimpl; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        ganvas.Nope  # noqa: B018


def test_plugins_json_lists_builtins_and_the_text_table_has_a_row_each(cli):
    rows = json.loads(cli("plugins", "--json").output)
    assert {r["origin"] for r in rows} == {"built-in"} and all(r["error"] is None for r in rows)
    text = cli("plugins").output.splitlines()
    assert text[0].split() == ["PLUGIN", "VERSION", "PACKAGE", "HOOKS", "COMPONENTS"]
    assert any(
        line.startswith("ganvas.plugins.models ") and "architectures: cppn, dcgan, mlp, spatial" in line
        for line in text
    )
    assert "no third-party plugins installed" in text[-1]


def test_plugins_group_help_lists_new(cli):
    out = cli("plugins", "--help").output
    assert "new" in out and "ganvas install NAME|PATH" in out


def test_a_single_file_plugin_in_plugins_dir_styles_a_recipe(cli, tmp_path):
    folder = tmp_path / "fx"
    folder.mkdir()
    (folder / "posterize_fx.py").write_text(
        textwrap.dedent('''
        from ganvas import Param, hookimpl

        class Posterize:
            """Reduce each channel to a few levels."""
            def __init__(self, levels):
                self.levels = levels
            def __call__(self, images):
                return (images * (self.levels - 1)).round() / (self.levels - 1)

        @hookimpl
        def register_stylizers(register):
            register("posterize-fx", Posterize, params=[Param("levels", int, 4, "levels per channel", min=2)])
    ''')
    )
    recipe = tmp_path / "poster.toml"
    recipe.write_text(tomli_w.dumps(tiny_recipe(stylize=[{"name": "posterize-fx", "levels": 3}])))
    try:
        out = cli("--plugins-dir", str(folder), "run", str(recipe), "--dry-run").output
        assert 'name = "posterize-fx"' in out and "levels = 3" in out
    finally:
        sys.modules.pop("posterize_fx", None)
