import pytest

from ganvas import Param, Shapes, hookimpl
from ganvas.plugin.registry import Registry
from ganvas.plugin.testing import make_host, tiny_recipe
from ganvas.plugin.traits import check_traits, describe_accepts, shape_problem
from ganvas.recipe import RecipeError, parse_recipe

DCGAN = Shapes(min_size=16, max_size=256, square=True, power_of_two=True)


@pytest.mark.parametrize(
    ("shape", "problem"),
    [
        ((3, 32, 32), None),
        ((1, 256, 256), None),
        ((3, 24, 24), "got 24x24 px"),
        ((3, 32, 64), "got 32x64 px"),
        ((3, 512, 512), "got 512x512 px"),
        ((2,), "not points"),
    ],
)
def test_shapes_say_what_does_not_fit(shape, problem):
    found = DCGAN.problem(shape)
    assert found is None if problem is None else problem in found
    if problem:
        assert "square images of 16, 32, 64, 128 or 256 px" in found


def test_shapes_describe_points_channels_and_ranges():
    assert Shapes(points=True, images=False).problem((2,)) is None
    assert "not images" in Shapes(points=True, images=False).problem((3, 8, 8))
    assert "2 channels" in Shapes(channels=(1, 3)).problem((2, 8, 8))
    assert Shapes(min_size=8, max_size=64).describe() == "images of 8 to 64 px a side"


def test_accepts_may_be_a_check_of_the_parameters():
    def even(shape, params):
        """images of an even side"""
        return None if shape[1] % params["step"] == 0 else f"needs multiples of {params['step']}"

    assert shape_problem(even, (3, 9, 9), {"step": 2}) == "needs multiples of 2"
    assert shape_problem(DCGAN, (3, 32, 32), {}) is None
    assert describe_accepts(even) == "images of an even side"


@pytest.mark.parametrize(
    ("traits", "message"),
    [
        ({"accept": DCGAN}, "unknown trait 'accept'"),
        ({"any_size": "yes"}, "must be true or false"),
        ({"tiles": True}, "needs 'any_size'"),
        ({"accepts": 3}, "must be a ganvas.Shapes"),
    ],
)
def test_wrong_traits_are_the_plugin_authors_error(traits, message):
    with pytest.raises(TypeError, match=message):
        check_traits("architectures", "architecture 'x'", traits)


def test_traits_are_kept_and_listed_as_json():
    registry = Registry()
    registry.register_fn("architectures", "mine")("net", lambda shape: None, accepts=DCGAN, any_size=True)
    component = registry.get("architectures", "net")
    assert component.traits["any_size"] is True
    assert component.to_dict()["traits"] == {"accepts": DCGAN.describe(), "any_size": True}
    with pytest.raises(TypeError, match="unknown trait"):
        registry.register_fn("stylizers", "mine")("s", lambda: None, accepts=DCGAN)


def test_a_recipe_whose_data_the_architecture_cannot_take_fails_validation(host):
    with pytest.raises(
        RecipeError, match=r"model.name: architecture 'dcgan' needs square images .* got 24x24 px .*size = 24"
    ):
        parse_recipe(tiny_recipe(data={"size": 24}), host.registry)
    parse_recipe(tiny_recipe(data={"size": 24}, model={"name": "cppn"}), host.registry)  # any size
    with pytest.raises(RecipeError, match="not points"):
        parse_recipe(tiny_recipe(data={"source": "toy2d:ring"}), host.registry)


class Fussy:
    @hookimpl
    def register_datasets(self, register):
        register(
            "odd", lambda argument, size: None, params=[Param("size", int, 9)], shape=lambda a, p: (3, p["size"], 7)
        )


def test_a_third_party_dataset_declares_its_shape():
    host = make_host(Fussy())
    with pytest.raises(RecipeError, match="got 9x7 px"):
        parse_recipe(tiny_recipe(data={"source": "odd:", "size": 9}), host.registry)


def test_a_dataset_may_say_its_parameters_cannot_work_together(host):
    raw = tiny_recipe(
        data={"source": "texture:marble", "size": 64, "canvas": 32, "count": 4}, model={"name": "spatial"}
    )
    with pytest.raises(RecipeError, match="data: canvas = 32 is smaller than size = 64"):
        parse_recipe(raw, host.registry)


class Broken:
    @hookimpl
    def register_datasets(self, register):
        register("broken", lambda argument: None, shape=lambda a, p: 1 / 0)


def test_a_shape_trait_that_raises_is_a_recipe_problem_naming_the_plugin():
    host = make_host(Broken())
    with pytest.raises(RecipeError, match=r"dataset 'broken' \(plugin .*\): its shape trait failed: ZeroDivisionError"):
        parse_recipe(tiny_recipe(data={"source": "broken:"}), host.registry)
