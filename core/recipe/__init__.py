"""Recipes: the TOML schema, reading, ``--set`` overrides and validation against the registry."""

from ganvas.recipe.read import apply_overrides, builtin_recipes, load_recipe, read_recipe_source
from ganvas.recipe.schema import (
    DEFAULT_RECIPE,
    AugmentConfig,
    ComponentRef,
    Recipe,
    RecipeError,
    SampleConfig,
    TrainConfig,
    params_of,
    tomllib,
)
from ganvas.recipe.validate import AUGMENT_PARAMS, parse_recipe, parse_source

__all__ = [
    "DEFAULT_RECIPE",
    "AugmentConfig",
    "ComponentRef",
    "Recipe",
    "RecipeError",
    "SampleConfig",
    "TrainConfig",
    "apply_overrides",
    "builtin_recipes",
    "load_recipe",
    "parse_recipe",
    "parse_source",
    "read_recipe_source",
    "params_of",
    "tomllib",
    "AUGMENT_PARAMS",
]
