"""Loading third-party plugins: entry points, --plugins-dir files, each one in isolation."""

import json
import sys
import textwrap

import click
import pytest

from conftest import Cli, install_fake_dist
from ganvas import hookimpl
from ganvas.cli import main, make_cli
from ganvas.plugin.manager import PluginHost, PluginLoadError

GOOD = """
from ganvas import Param, hookimpl

@hookimpl
def register_losses(register):
    register("zero", "good_plugin:Zero", params=[Param("scale", float, 1.0, "scale")])

class Zero:
    def __init__(self, scale):
        self.scale = scale
"""

#: plugin name -> module source; each is installed as the distribution ganvas-<name> 1.2.3
BROKEN = {
    "broken": "import no_such_module_anywhere\n",
    "badhook": """
from ganvas import hookimpl

@hookimpl
def register_stylizers(register):
    raise RuntimeError("oops in the hook")
""",
    "duplicate": """
from ganvas import hookimpl

@hookimpl
def register_architectures(register):
    register("twin", lambda data_shape: None)
    register("twin", lambda data_shape: None)
""",
    "badparam": """
from ganvas import Param, hookimpl

@hookimpl
def register_stylizers(register):
    register("fine", lambda: None)
    register("bad", lambda radius: None, params=[Param("radius", "int", 3, "a type given as a string")])
""",
    "notcallable": """
from ganvas import hookimpl

@hookimpl
def register_stylizers(register):
    register("thing", 42)
""",
    "misspelled": """
from ganvas import hookimpl

@hookimpl
def register_stylizer(register):
    register("never", lambda: None)
""",
    "nohooks": """
def register_stylizers(register):  # forgot @hookimpl
    register("never", lambda: None)
""",
}


@pytest.fixture
def dists(tmp_path, monkeypatch):
    """Installs fake distributions on sys.path; ``dists(name, ...)`` picks from BROKEN (+ 'good')."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("GANVAS_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("GANVAS_STRICT_PLUGINS", raising=False)
    modules = []

    def install(*names):
        for name in names:
            module = f"{name}_plugin"
            install_fake_dist(site, name, module, GOOD if name == "good" else BROKEN[name])
            modules.append(module)

    yield install
    for module in modules:
        sys.modules.pop(module, None)


def test_each_broken_plugin_costs_one_warning_line_and_the_good_one_works(dists, capsys):
    dists("good", *BROKEN)
    host = PluginHost()
    assert host.get("losses", "zero").plugin == "good"
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == len(BROKEN)
    by_name = {name: next(line for line in lines if f"plugin '{name}'" in line) for name in BROKEN}
    for name, line in by_name.items():
        assert f"(ganvas-{name} 1.2.3)" in line
        assert "GANVAS_LOAD_PLUGINS='good'" in line and f"ganvas uninstall ganvas-{name}" in line
    assert "ModuleNotFoundError: No module named 'no_such_module_anywhere'" in by_name["broken"]
    assert "register_stylizers: RuntimeError: oops in the hook" in by_name["badhook"]
    assert "architecture 'twin' is registered twice by plugin 'duplicate'" in by_name["duplicate"]
    assert "TypeError: Param 'radius': type must be one of" in by_name["badparam"]
    assert "factory must be callable" in by_name["notcallable"]
    assert "unknown hook 'register_stylizer'" in by_name["misspelled"]
    assert "did you mean 'register_stylizers'" in by_name["misspelled"]
    assert "implements no hook" in by_name["nohooks"] and "@ganvas.hookimpl" in by_name["nohooks"]
    # a failing plugin is dropped whole: nothing it registered before failing survives
    assert "fine" not in host.registry.names("stylizers")
    assert host.get("architectures", "dcgan").plugin == "ganvas.plugins.models"
    assert {f.name for f in host.failures} == set(BROKEN)
    assert {p.name for p in host.plugins() if not p.builtin} == {"good"}


def test_load_plugins_env_selects_entry_points_by_name_or_package(dists, monkeypatch, capsys):
    dists("good", "broken")
    monkeypatch.setenv("GANVAS_LOAD_PLUGINS", "good")
    host = PluginHost()
    assert host.get("losses", "zero") and host.failures == []
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("GANVAS_LOAD_PLUGINS", "ganvas_Good")  # the distribution, any spelling
    assert PluginHost().get("losses", "zero").plugin == "good"
    monkeypatch.setenv("GANVAS_LOAD_PLUGINS", "")
    host = PluginHost()
    assert "zero" not in host.registry.names("losses")
    assert all(p.builtin for p in host.plugins())


def test_strict_mode_raises_one_line_naming_every_failure(dists, monkeypatch):
    dists("good", "broken", "badhook")
    monkeypatch.setenv("GANVAS_STRICT_PLUGINS", "1")
    with pytest.raises(PluginLoadError) as caught:
        PluginHost()
    message = str(caught.value)
    assert "\n" not in message and message.startswith(
        "2 plugins failed: 'broken' (ganvas-broken 1.2.3): ModuleNotFoundError"
    )
    assert "; 'badhook' (ganvas-badhook 1.2.3): register_stylizers: RuntimeError: oops" in message
    assert "GANVAS_STRICT_PLUGINS is set: unset it" in message
    assert isinstance(caught.value.__cause__, (ImportError, RuntimeError))  # the plugin's own traceback
    monkeypatch.setenv("GANVAS_STRICT_PLUGINS", "0")
    assert len(PluginHost(warn=False).failures) == 2


def test_strict_mode_through_the_command_line_exits_1_with_one_line(dists, monkeypatch, capsys):
    dists("broken")
    monkeypatch.setenv("GANVAS_STRICT_PLUGINS", "1")
    with pytest.raises(SystemExit) as exited:
        main(["plugins"])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: plugin 'broken' (ganvas-broken 1.2.3)")


@pytest.mark.parametrize(
    "args", [["--help"], ["plugins"], ["uninstall", "--help"], ["list", "losses"], ["run", "--dry-run"]]
)
def test_broken_plugins_never_stop_the_command_line(dists, capsys, args):
    dists("good", *BROKEN)
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 0
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == len(BROKEN)
    if args == ["plugins"]:
        assert captured.out.count("FAILED: ") == len(BROKEN) and "zero" in captured.out


def test_plugins_command_shows_failures(dists, tmp_path):
    dists("good", "broken")
    cli = Cli(PluginHost(warn=False), tmp_path / "runs")
    data = {p["name"]: p for p in json.loads(cli("plugins", "--json").output)}
    assert data["good"]["version"] == "1.2.3" and data["good"]["components"] == ["losses:zero"]
    assert data["good"]["package"] == "ganvas-good" and data["good"]["hooks"] == ["register_losses"]
    assert (
        "ModuleNotFoundError" in data["broken"]["error"]
        and "ganvas uninstall ganvas-broken" in data["broken"]["disable"]
    )
    text = cli("plugins").output
    assert "FAILED: ModuleNotFoundError" in text and "losses: zero" in text
    assert "[good]" in cli("list", "losses").output


class Commands:
    """A plugin adding the command ``name`` (or ``replace``), or failing in its hook."""

    __version__ = "0.1"

    def __init__(self, name, replace=None, fail=False):
        self.__name__, self.replace, self.fail = name, replace, fail

    @hookimpl
    def register_commands(self, cli):
        if self.fail:
            raise RuntimeError("no commands today")
        cli.add_command(click.Command(self.replace or self.__name__, callback=lambda: click.echo("hi")))


def test_register_commands_is_isolated_and_cannot_replace_a_command(capsys):
    host = PluginHost(
        entry_points=False,
        strict=False,
        extra=[Commands("hello"), Commands("hijack", replace="uninstall"), Commands("boom", fail=True)],
    )
    cli = make_cli(host)
    assert set(cli.commands) >= {"hello", "uninstall", "install", "plugins"}
    assert cli.commands["uninstall"].callback.__module__ == "ganvas.cli.install"
    err = capsys.readouterr().err
    assert "plugin 'hijack' (0.1)" in err and "replaces the existing command 'ganvas uninstall'" in err
    assert "plugin 'boom' (0.1)" in err and "register_commands: RuntimeError: no commands today" in err
    assert {f.name for f in host.failures} == {"hijack", "boom"}
    assert "hijack" not in {p.name for p in host.plugins()}


def test_a_builtin_always_wins_its_name_even_against_tryfirst():
    class Early:
        @hookimpl(tryfirst=True)
        def register_losses(self, register):
            register("nonsaturating", lambda: None)

    host = PluginHost(entry_points=False, extra=[Early()], warn=False)
    assert host.get("losses", "nonsaturating").plugin == "ganvas.plugins.losses"
    assert host.get("losses", "Early:nonsaturating").plugin == "Early"  # kept, under its qualified name
    assert not host.failures


def test_plugins_dir_loads_single_file_plugins(tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "solarize_fx.py").write_text(
        textwrap.dedent('''
        from ganvas import Param, hookimpl
        __version__ = "0.0.1"

        class Solarize:
            """Invert the bright half."""
            def __init__(self, threshold):
                self.threshold = threshold
            def __call__(self, images):
                return images.where(images < self.threshold, 1 - images)

        @hookimpl
        def register_stylizers(register):
            register("solarize-fx", Solarize, params=[Param("threshold", float, 0.5, "where to flip", min=0, max=1)])
    ''')
    )
    (folder / "broken_fx.py").write_text("raise ValueError('nope')\n")
    (folder / "json.py").write_text("# would shadow the standard library\n")
    (folder / "_helper.py").write_text("raise SystemExit('never imported')\n")
    try:
        host = PluginHost(entry_points=False, plugins_dirs=[folder])
        component = host.get("stylizers", "solarize-fx")
        assert component.plugin == "solarize_fx" and component.help == "Invert the bright half."
        info = next(p for p in host.plugins() if p.name == "solarize_fx")
        assert info.version == "0.0.1" and info.location == str(folder / "solarize_fx.py")
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 2
        assert any(
            "plugin 'broken_fx'" in line and "ValueError: nope" in line and "--plugins-dir" in line for line in err
        )
        assert any("plugin 'json'" in line and "would shadow the module 'json'" in line for line in err)
        assert "json" in sys.modules and sys.modules["json"].__file__ != str(folder / "json.py")
    finally:
        for name in ("solarize_fx", "broken_fx"):
            sys.modules.pop(name, None)


def test_plugins_dir_option_on_the_command_line(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "hello_cmd.py").write_text(
        textwrap.dedent("""
        import click
        from ganvas import hookimpl

        @hookimpl
        def register_commands(cli):
            cli.add_command(click.Command("hello", callback=lambda: click.echo("hello from a file")))
    """)
    )
    try:
        with pytest.raises(SystemExit) as exited:
            main(["--plugins-dir", str(folder), "hello"])
        assert exited.value.code == 0 and "hello from a file" in capsys.readouterr().out
        cli = Cli(PluginHost(entry_points=False), tmp_path / "runs")  # not loaded at start-up: loaded by the option
        assert "hello_cmd" in cli("--plugins-dir", str(folder), "plugins").output
        assert "does not exist" in cli("--plugins-dir", str(tmp_path / "nope"), "plugins", code=2).output
    finally:
        sys.modules.pop("hello_cmd", None)
