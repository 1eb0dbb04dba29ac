import pytest

from ganvas import Param
from ganvas.errors import ParamError, UnknownNameError
from ganvas.plugin.params import parse_param_string, resolve_params


def test_check_converts_and_bounds():
    p = Param("radius", int, 4, "kernel radius", min=1, max=10)
    assert p.check(3) == 3
    with pytest.raises(ParamError, match=r"integer in \[1, 10\], got 11"):
        p.check(11)
    with pytest.raises(ParamError, match="got 2.5"):
        p.check(2.5)
    with pytest.raises(ParamError):
        p.check(True)  # a bool is not an integer here


def test_float_accepts_int_and_rejects_nan():
    p = Param("lr", float, 0.1, "")
    assert p.check(1) == 1.0 and isinstance(p.check(1), float)
    with pytest.raises(ParamError):
        p.check(float("nan"))


def test_choices_and_list_params():
    mode = Param("mode", str, "a", "", choices=("a", "b"))
    with pytest.raises(ParamError, match="one of 'a', 'b'"):
        mode.check("c")
    betas = Param("betas", list, [0.5, 0.999], "", min=0.0, max=1.0)
    assert betas.check([0, 1]) == [0.0, 1.0]
    with pytest.raises(ParamError, match="list of 2 numbers"):
        betas.check([0.5])
    with pytest.raises(ParamError):
        betas.check([0.5, 2.0])
    assert betas.parse("0.9,0.99") == [0.9, 0.99]


def test_bad_default_is_caught_at_declaration():
    with pytest.raises(ParamError):
        Param("n", int, -1, "", min=0)
    with pytest.raises(TypeError):
        Param("n", dict, {}, "")


def test_parse_strings():
    assert Param("on", bool, False, "").parse("yes") is True
    assert Param("n", int, 1, "").parse("7") == 7
    with pytest.raises(ParamError, match="expected integer"):
        Param("n", int, 1, "").parse("seven")


def test_resolve_reports_every_problem_and_fills_defaults():
    params = (Param("radius", int, 4, "r", min=1), Param("sigma", float, 1.0, "s"))
    values, problems = resolve_params(params, {"radius": 0, "sigmaa": 2}, owner="stylizer 'oil'")
    assert len(problems) == 2
    assert any("radius" in p and ">= 1" in p for p in problems)
    assert any("unknown parameter" in p and "did you mean 'sigma'" in p for p in problems)
    values, problems = resolve_params(params, {"sigma": 2}, owner="x")
    assert problems == [] and values == {"radius": 4, "sigma": 2.0}
    assert list(values) == ["radius", "sigma"]  # declaration order, whatever the input order


def test_parse_param_string():
    params = (Param("radius", int, 4, ""), Param("fast", bool, False, ""))
    name, values = parse_param_string("oil:radius=6,fast=true", lambda n: params)
    assert name == "oil" and values == {"radius": 6, "fast": True}
    with pytest.raises(ParamError, match="did you mean 'radius'"):
        parse_param_string("oil:radiuss=6", lambda n: params)

    def only_oil(name):
        if name != "oil":
            raise UnknownNameError("stylizer", name, ["oil"])
        return params

    with pytest.raises(ParamError, match="key=value"):  # not a qualified name: there is no stylizer '6'
        parse_param_string("oil:6", only_oil)
    assert parse_param_string("fx:oil:radius=2", lambda n: params) == ("fx:oil", {"radius": 2})
