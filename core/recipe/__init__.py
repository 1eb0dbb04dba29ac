"""Recipes: the TOML schema, reading, ``--set`` overrides and validation against the registry."""

from ganvas.recipe.schema import (
    DEFAULT_RECIPE,
    ComponentRef,
    Recipe,
    RecipeError,
    SampleConfig,
    TrainConfig,
    apply_overrides,
    builtin_recipes,
    load_recipe,
    parse_recipe,
)

__all__ = ["DEFAULT_RECIPE", "ComponentRef", "Recipe", "RecipeError", "SampleConfig", "TrainConfig",
           "apply_overrides", "builtin_recipes", "load_recipe", "parse_recipe"]
