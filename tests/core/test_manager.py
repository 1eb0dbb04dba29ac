"""Loading third-party plugins from the `ganvas` entry-point group, each in isolation."""

import sys
import textwrap

import pytest

from ganvas.manager import PluginHost


@pytest.fixture
def fake_dists(tmp_path, monkeypatch):
    """Two installed distributions: one good plugin, one whose import fails, one with a bad hook."""
    (tmp_path / "good_plugin.py").write_text(textwrap.dedent('''
        from ganvas import Param, hookimpl

        @hookimpl
        def register_losses(register):
            register("zero", "good_plugin:Zero", params=[Param("scale", float, 1.0, "scale")])

        class Zero:
            def __init__(self, scale):
                self.scale = scale
    '''))
    (tmp_path / "broken_plugin.py").write_text("import no_such_module_anywhere\n")
    (tmp_path / "bad_hook_plugin.py").write_text(textwrap.dedent('''
        from ganvas import hookimpl

        @hookimpl
        def register_stylizers(register):
            raise RuntimeError("oops in the hook")
    '''))
    for dist, ep_name, module in [("ganvas-good", "good", "good_plugin"), ("ganvas-broken", "broken", "broken_plugin"),
                                  ("ganvas-badhook", "badhook", "bad_hook_plugin")]:
        info = tmp_path / f"{dist.replace('-', '_')}-1.2.3.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
        (info / "entry_points.txt").write_text(f"[ganvas]\n{ep_name} = {module}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in ("good_plugin", "broken_plugin", "bad_hook_plugin"):
        sys.modules.pop(name, None)


def test_broken_plugins_cost_one_warning_line_each(fake_dists, monkeypatch, capsys):
    monkeypatch.delenv("GANVAS_LOAD_PLUGINS", raising=False)
    host = PluginHost()
    assert host.get("losses", "zero").plugin == "good"
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    broken = next(line for line in lines if "'broken'" in line)
    assert "1.2.3" in broken and "ModuleNotFoundError" in broken and "GANVAS_LOAD_PLUGINS" in broken
    bad = next(line for line in lines if "'badhook'" in line)
    assert "register_stylizers: RuntimeError: oops in the hook" in bad
    assert {f.name for f in host.failures} == {"broken", "badhook"}
    assert "badhook" not in {p.name for p in host.plugins()}


def test_load_plugins_env_selects_entry_points(fake_dists, monkeypatch, capsys):
    monkeypatch.setenv("GANVAS_LOAD_PLUGINS", "good")
    host = PluginHost()
    assert host.get("losses", "zero") and host.failures == []
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("GANVAS_LOAD_PLUGINS", "")
    host = PluginHost()
    assert "zero" not in host.registry.names("losses")
    assert {p.name for p in host.plugins()} == {p.name for p in host.plugins() if p.builtin}


def test_plugins_command_shows_failures(fake_dists, monkeypatch, tmp_path):
    import json

    from conftest import Cli

    monkeypatch.delenv("GANVAS_LOAD_PLUGINS", raising=False)
    cli = Cli(PluginHost(warn=False), tmp_path / "runs")
    data = {p["name"]: p for p in json.loads(cli("plugins", "--json").output)}
    assert data["good"]["version"] == "1.2.3" and data["good"]["components"] == ["losses:zero"]
    assert "ModuleNotFoundError" in data["broken"]["error"]
    assert "FAILED" in cli("plugins").output
    assert "[good]" in cli("list", "losses").output
