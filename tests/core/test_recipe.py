from pathlib import Path

import pytest
import tomli_w

from ganvas.errors import UnknownNameError, UserInputError
from ganvas.plugin.testing import tiny_recipe as tiny_raw
from ganvas.recipe import RecipeError, apply_overrides, builtin_recipes, load_recipe, parse_recipe, tomllib


def test_tiny_recipe_resolves_with_defaults(host):
    recipe = parse_recipe(tiny_raw(), host.registry)
    assert recipe.data.name == "procedural" and recipe.data.argument == "circles"
    assert recipe.data.params["channels"] == 3  # default filled in
    assert recipe.model.params == {
        "z_dim": 8,
        "width": 8,
        "max_width": 512,
        "upsample": "transposed",
        "norm": "batch",
        "class_speed": 10.0,
    }
    assert recipe.train.betas == [0.5, 0.999] and recipe.train.lr_g == 2e-4
    assert recipe.stylize == []


def test_round_trip_through_toml(host):
    recipe = parse_recipe(tiny_raw(), host.registry)
    again = parse_recipe(tomllib.loads(recipe.to_toml()), host.registry)
    assert again.to_dict() == recipe.to_dict()


def test_every_problem_is_reported_with_key_expected_and_got(host):
    raw = tiny_raw(train={"steps": "many", "batch": 0}, model={"widht": 8})
    raw["data"]["source"] = "procedual:circles"
    raw["colour"] = "red"
    with pytest.raises(RecipeError) as info:
        parse_recipe(raw, host.registry, source="my.toml")
    problems = info.value.problems
    text = str(info.value)
    assert text.startswith("my.toml: 5 problems")
    assert any(p.startswith("train.steps: expected integer in [1, 1000000000], got 'many'") for p in problems)
    assert any(p.startswith("train.batch:") and "got 0" in p for p in problems)
    assert any(p.startswith("model.widht: unknown parameter") and "did you mean 'width'" in p for p in problems)
    assert any(
        p.startswith("data.source: unknown dataset 'procedual'") and "did you mean 'procedural'" in p for p in problems
    )
    assert any(p.startswith("colour: unknown key") for p in problems)


def test_missing_data_source_and_wrong_section_type(host):
    with pytest.raises(RecipeError) as info:
        parse_recipe({"data": {}, "train": 5}, host.registry)
    assert any(p.startswith("data.source: missing") for p in info.value.problems)
    assert any(p.startswith("train: expected a table") for p in info.value.problems)


def test_unknown_component_names_suggest_closest(host):
    with pytest.raises(RecipeError, match="did you mean 'lsgan'"):
        parse_recipe(tiny_raw(loss={"name": "lsgn"}), host.registry)
    with pytest.raises(RecipeError, match="unknown stylizer 'oli'.*did you mean 'oil'"):
        parse_recipe({**tiny_raw(), "stylize": [{"name": "oli"}]}, host.registry)
    with pytest.raises(RecipeError, match="unknown regularizer 'spectral'"):
        parse_recipe({**tiny_raw(), "regularize": [{"name": "spectral"}]}, host.registry)
    with pytest.raises(RecipeError, match="unknown augmentation 'cutot'.*did you mean 'cutout'"):
        parse_recipe(tiny_raw(augment={"policy": "cutot"}), host.registry)


def test_bad_seeds_are_reported(host):
    with pytest.raises(RecipeError, match="sample.seeds"):
        parse_recipe(tiny_raw(sample={"seeds": "a-b"}), host.registry)


def test_malformed_toml_is_one_clear_problem(tmp_path, host):
    path = tmp_path / "broken.toml"
    path.write_text("[data\nsource = 1")
    with pytest.raises(RecipeError, match=r"broken.toml: malformed TOML"):
        load_recipe(path, host.registry)


def test_missing_recipe_lists_builtins(host):
    with pytest.raises(UnknownNameError, match="valid: .*default"):
        load_recipe("no-such-recipe", host.registry)


def test_overrides_parse_toml_values_and_index_lists():
    raw = {"train": {"steps": 10}, "stylize": [{"name": "a"}]}
    apply_overrides(
        raw,
        [
            "train.steps=500",
            "train.betas=[0.0, 0.99]",
            "stylize.0.radius=3",
            "data.source=folder:~/my pics",
            "train.ema=0.5",
        ],
    )
    assert raw["train"] == {"steps": 500, "betas": [0.0, 0.99], "ema": 0.5}
    assert raw["stylize"][0]["radius"] == 3
    assert raw["data"]["source"] == "folder:~/my pics"
    with pytest.raises(UserInputError, match="KEY.PATH=VALUE"):
        apply_overrides(raw, ["train.steps"])
    with pytest.raises(UserInputError, match="index from 0 to 0"):
        apply_overrides(raw, ["stylize.3.radius=1"])
    with pytest.raises(UnknownNameError, match="did you mean 'train'"):
        apply_overrides(raw, ["trian.steps=1"])


def test_load_recipe_applies_overrides_and_names_from_file(tmp_path, host):
    path = tmp_path / "my-art.toml"
    raw = tiny_raw()
    del raw["name"]
    path.write_text(tomli_w.dumps(raw))
    recipe = load_recipe(path, host.registry, ["train.steps=3"])
    assert recipe.name == "my-art" and recipe.train.steps == 3


def test_every_builtin_recipe_is_valid(host):
    names = builtin_recipes()
    assert "default" in names and len(names) >= 3
    for name in names:
        recipe = load_recipe(name, host.registry)
        assert recipe.description, f"recipe {name} needs a description"


def test_gallery_files_are_the_builtin_recipes():
    gallery = Path(__file__).resolve().parents[2] / "gallery" / "recipes"
    assert {p.stem for p in gallery.glob("*.toml")} == set(builtin_recipes())


def test_a_speed_setting_the_method_does_not_read_is_named_in_a_warning(host, caplog):
    import logging

    caplog.set_level(logging.WARNING, logger="ganvas")
    logger = logging.getLogger("ganvas")
    logger.addHandler(caplog.handler)  # ganvas's logger does not propagate
    try:
        raw = {**tiny_raw(), "method": "pix2pix", "train": {**tiny_raw()["train"], "precision": "bf16"}}
        raw.pop("model", None), raw.pop("loss", None)
        parse_recipe(raw, host.registry)
        assert "method 'pix2pix' does not read train.precision" in caplog.text
        caplog.clear()
        parse_recipe({**tiny_raw(), "train": {**tiny_raw()["train"], "precision": "bf16"}}, host.registry)
        assert "does not read" not in caplog.text  # gan reads it
    finally:
        logger.removeHandler(caplog.handler)
