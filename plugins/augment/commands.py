"""``ganvas augment preview`` (added through ``register_commands``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

_CTX = {"help_option_names": ["-h", "--help"]}


@click.group("augment", context_settings=_CTX)
def augment_group() -> None:
    """Differentiable augmentations for the discriminator (DiffAugment, ADA)."""


@augment_group.command("preview", context_settings=_CTX)
@click.argument("recipe", metavar="RECIPE")
@click.option("--policy", default=None, help="Comma-separated ops (default: the recipe's augment.policy).")
@click.option(
    "-p",
    "--p",
    "p",
    type=click.FloatRange(0.0, 1.0),
    default=1.0,
    show_default=True,
    help="Probability each op reaches each image.",
)
@click.option("--count", type=click.IntRange(1, 256), default=16, show_default=True, help="Images to show.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seeds the images and the ops.")
@click.option("--scale", type=click.IntRange(1, 16), default=2, show_default=True, help="Enlargement of the PNG.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a recipe value (repeatable).")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("augment-preview.png"),
    show_default=True,
    help="Where to write the grid.",
)
@click.pass_obj
def preview(
    host: Any,
    recipe: str,
    policy: str | None,
    p: float,
    count: int,
    seed: int,
    scale: int,
    overrides: tuple[str, ...],
    out: Path,
) -> None:
    """Write a grid of RECIPE's dataset: the originals on top, the same images augmented below.

    RECIPE is a recipe file or a built-in recipe name; its [augment] policy and op parameters
    are used unless --policy is given.
    """
    import torch

    from ganvas.errors import UserInputError
    from ganvas.io import make_grid, save_png, to_uint8
    from ganvas.recipe import load_recipe
    from ganvas.training import build_dataset
    from ganvas.training.augment import build_pipeline, parse_policy

    loaded = load_recipe(recipe, host.registry, overrides)
    chosen = policy if policy is not None else loaded.augment.policy
    if not parse_policy(chosen):
        names = ", ".join(host.registry.names("augmentations"))
        raise UserInputError(f"no augmentation policy: give --policy (valid ops: {names}) or set augment.policy")
    params = dict(loaded.augment.ops) if policy is None else {}
    data = build_dataset(loaded, host)
    if not data.pictures:
        raise UserInputError(f"recipe '{recipe}' trains on {data.kind}; augmentation previews need images")
    generator = torch.Generator().manual_seed(seed)
    pick = torch.randperm(len(data), generator=generator)[:count]
    images = data.batch(pick)
    pipeline = build_pipeline(host, chosen, p, params=params, generator=generator)
    with torch.no_grad():
        augmented = pipeline(images)
    columns = min(count, 8)
    rows = -(-count // columns)
    pad = rows * columns - count
    blank = torch.full((pad, *images.shape[1:]), -1.0)
    grid = make_grid(to_uint8(torch.cat([images, blank, augmented, blank])), columns)
    save_png(grid, out, {"ganvas:augment": f"policy={chosen} p={p} seed={seed}"}, scale=scale)
    click.echo(f"wrote {out}: top {rows} row(s) originals, bottom {rows} row(s) '{chosen}' at p={p}")
