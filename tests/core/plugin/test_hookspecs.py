"""The README's plugin guide stays true: every hook and public name documented, the example real."""

import inspect
import re
import sys
from pathlib import Path

import pytest

import ganvas
import ganvas.plugin.testing
from ganvas.plugin import hookspecs

README = Path(__file__).resolve().parents[3] / "README.md"


def _section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"\n### {title}\n")
    end = text.find("\n## ", start)
    following = text.find("\n### ", start + 1)
    ends = [e for e in (end, following) if e != -1]
    return text[start : min(ends) if ends else len(text)]


def _hookspecs() -> dict[str, list[str]]:
    """Hook name -> argument names, for every function marked as a ganvas hookspec."""
    return {
        name: list(inspect.signature(fn).parameters)
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(fn, "ganvas_spec")
    }


def test_every_hookspec_is_in_the_reference_with_its_arguments():
    reference = _section("Hook reference")
    documented = dict(re.findall(r"^\| `(\w+)\(([\w, ]*)\)` \|", reference, re.M))
    specs = _hookspecs()
    missing = sorted(set(specs) - set(documented))
    assert not missing, f"hooks missing from README's 'Hook reference' table: {missing}"
    stale = sorted(set(documented) - set(specs))
    assert not stale, f"README documents hooks that do not exist: {stale}"
    for name, args in specs.items():
        assert documented[name].split(", ") == args, (
            f"{name}: README says ({documented[name]}), the spec ({', '.join(args)})"
        )


def test_every_hookspec_has_a_one_line_docstring():
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if hasattr(fn, "ganvas_spec"):
            doc = inspect.getdoc(fn) or ""
            assert doc and "\n" not in doc.strip(), f"{name} needs a one-line docstring"


def test_every_public_name_is_in_the_plugin_api_table():
    table = _section("Plugin API")
    for name in ganvas.__all__:
        if name != "__version__":
            assert f"`ganvas.{name}`" in table, f"ganvas.{name} is public but not in README's 'Plugin API'"
    for name in ganvas.plugin.testing.__all__:
        assert f"`{name}`" in table, f"ganvas.plugin.testing.{name} is public but not in README's 'Plugin API'"


@pytest.fixture(scope="module")
def neon(tmp_path_factory):
    """What `ganvas plugins new neon` writes, importable."""
    from ganvas.plugin.scaffold import create_project

    folder = tmp_path_factory.mktemp("scaffold")
    names, _ = create_project("neon", folder)
    sys.path.insert(0, str(folder / names.folder))
    yield folder / names.folder
    sys.path.remove(str(folder / names.folder))
    for module in [m for m in sys.modules if m.startswith("ganvas_neon")]:
        del sys.modules[module]


def _block(text: str, language: str, containing: str) -> str:
    blocks = [b for b in re.findall(rf"```{language}\n(.*?)```", text, re.S) if containing in b]
    assert len(blocks) == 1, f"expected one {language} block with {containing!r} in the guide"
    return blocks[0]


def test_the_guide_shows_the_scaffold_as_it_is(neon):
    guide = _section("Writing a plugin")
    hooks = (neon / "ganvas_neon" / "__init__.py").read_text()
    assert _block(guide, "python", "ganvas_neon.stylizers:NeonGlow") in hooks, (
        "README's ganvas_neon/__init__.py differs from what `ganvas plugins new neon` writes"
    )
    effect = (neon / "ganvas_neon" / "stylizers.py").read_text().splitlines()
    for line in _block(guide, "python", "def neon_glow(").splitlines():
        if line.strip() != "...":
            assert line in effect, f"README's neon_glow excerpt has a line the scaffold does not: {line!r}"
    entry_point = '[project.entry-points.ganvas]\nneon = "ganvas_neon"'
    assert entry_point in guide and entry_point in (neon / "pyproject.toml").read_text()


def test_the_guide_recipe_and_single_file_plugin_work(neon, tmp_path):
    import ganvas_neon

    from ganvas.plugin.manager import PluginHost
    from ganvas.recipe import parse_recipe, tomllib

    guide = _section("Writing a plugin")
    host = PluginHost(entry_points=False, extra=[ganvas_neon], strict=True)
    recipe = parse_recipe(tomllib.loads(_block(guide, "toml", "[[stylize]]")), host.registry)
    assert [s.name for s in recipe.stylize] == ["neon-glow"] and recipe.plugins == ["ganvas-neon>=0.1"]

    (tmp_path / "my_solarize.py").write_text(_block(guide, "python", "# fx/my_solarize.py"))
    try:
        host = PluginHost(entry_points=False, plugins_dirs=[tmp_path], strict=True)
        solarize = host.get("stylizers", "my-solarize").build()
        from ganvas.plugin.testing import check_stylizer

        check_stylizer(solarize)
    finally:
        sys.modules.pop("my_solarize", None)
