import pytest

from ganvas import Param, hookimpl
from ganvas.errors import AmbiguousNameError, DuplicateNameError, ParamError, UnknownNameError
from ganvas.plugin.manager import PluginHost
from ganvas.plugin.registry import BUILTIN_SCOPE, Component, Registry


def _component(name="oil", plugin="p1", **kw):
    return Component(
        "stylizers",
        name,
        kw.pop("factory", lambda **k: k),
        kw.pop("params", (Param("radius", int, 4, "radius", min=1),)),
        "help",
        plugin,
        **kw,
    )


def test_get_unknown_lists_valid_names_and_closest():
    reg = Registry()
    reg.add(_component("oil"))
    reg.add(_component("ink"))
    with pytest.raises(UnknownNameError) as info:
        reg.get("stylizers", "oli")
    assert "valid: ink, oil" in str(info.value) and "did you mean 'oil'" in str(info.value)
    assert info.value.suggestion == "oil"


def test_one_plugin_registering_a_name_twice_is_an_error():
    reg = Registry()
    reg.add(_component("oil", "first-plugin"))
    with pytest.raises(DuplicateNameError, match="'oil' is registered twice by plugin 'first-plugin'"):
        reg.add(_component("oil", "first-plugin"))
    with pytest.raises(DuplicateNameError):  # an alias collides too
        reg.add(_component("paint", "first-plugin", aliases=("oil",)))


def test_a_name_two_plugins_share_is_ambiguous_and_both_stay_reachable():
    reg = Registry()
    first, second = _component("duotone", "dupe"), _component("duotone", "tinkerer")
    reg.add(first)
    reg.add(second)
    with pytest.raises(AmbiguousNameError, match="'dupe:duotone', 'tinkerer:duotone'") as info:
        reg.get("stylizers", "duotone")
    assert isinstance(info.value, UnknownNameError)  # callers that report unknown names report it too
    assert reg.get("stylizers", "dupe:duotone") is first and reg.get("stylizers", "tinkerer:duotone") is second
    assert reg.ref(first) == "dupe:duotone" and reg.names("stylizers") == ["duotone"]
    assert reg.parse_spec("stylizers", "tinkerer:duotone:radius=2") == ("tinkerer:duotone", {"radius": 2})
    assert list(reg.duplicates()) == [("stylizers", "duotone")]
    with pytest.raises(UnknownNameError, match="PLUGIN one of dupe, tinkerer"):
        reg.get("stylizers", "nobody:duotone")


def test_a_builtin_keeps_its_bare_name_and_the_newcomer_is_qualified():
    reg = Registry()
    builtin = _component("oil", "ganvas.plugins.stylizers", scope=BUILTIN_SCOPE)
    newcomer = _component("oil", "fx", aliases=("kuwahara",))
    reg.add(builtin)
    reg.add(newcomer)
    assert reg.get("stylizers", "oil") is builtin and reg.ref(builtin) == "oil"
    assert reg.get("stylizers", "ganvas:oil") is builtin
    assert reg.ref(newcomer) == "fx:oil" and reg.get("stylizers", "kuwahara") is newcomer


def test_aliases_resolve_to_the_component():
    reg = Registry()
    reg.add(_component("oil", aliases=("kuwahara",)))
    assert reg.get("stylizers", "kuwahara").name == "oil"


def test_build_validates_params():
    reg = Registry()
    reg.add(_component("oil"))
    comp = reg.get("stylizers", "oil")
    assert comp.build(radius=2) == {"radius": 2}
    assert comp.build() == {"radius": 4}
    with pytest.raises(ParamError, match="unknown parameter"):
        comp.build(radis=2)
    with pytest.raises(ParamError, match=">= 1"):
        comp.build(radius=0)


def test_lazy_factory_is_imported_on_first_use():
    comp = _component(factory="ganvas.seeds:parse_seeds", params=())
    assert comp.load()("1-2") == [1, 2]


def test_invalid_registrations_are_rejected():
    reg = Registry()
    with pytest.raises(ValueError):
        reg.add(_component("bad:name"))
    with pytest.raises(TypeError):
        reg.add(_component(params=("radius",)))
    with pytest.raises(TypeError):
        reg.add(_component(factory=42))


class _Plugin:
    @hookimpl
    def register_stylizers(self, register):
        register("mine", lambda: None, help="a test stylizer")


class _Clash:
    @hookimpl
    def register_losses(self, register):
        register("nonsaturating", lambda: None)


def test_host_registers_builtins_and_extra_plugins():
    host = PluginHost(entry_points=False, extra=[_Plugin()], warn=False)
    assert host.get("stylizers", "mine").plugin == "_Plugin"
    assert {"dcgan", "mlp"} <= set(host.registry.names("architectures"))
    assert {"minimax", "nonsaturating", "lsgan"} <= set(host.registry.names("losses"))
    assert {"folder", "procedural", "mnist", "toy2d"} <= set(host.registry.names("datasets"))


def test_a_plugin_sharing_a_builtin_name_loads_and_is_reachable_qualified(capsys):
    host = PluginHost(entry_points=False, extra=[_Clash()])
    assert host.get("losses", "nonsaturating").plugin == "ganvas.plugins.losses"
    assert host.get("losses", "_Clash:nonsaturating").plugin == "_Clash"
    assert not host.failures and capsys.readouterr().err == ""
