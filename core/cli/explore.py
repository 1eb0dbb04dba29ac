"""``ganvas explore``: the latent directions of a run (SeFa) as a sheet to pick ``--edit`` from."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click

from ganvas.cli import options
from ganvas.cli.sample import choose_seeds, load_for_drawing
from ganvas.io.runs import find_run, runs_root, unique_path
from ganvas.plugin.manager import PluginHost


@click.command("explore", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("run_ref", metavar="RUN")
@click.option("--k", "k", type=click.IntRange(1, 16), default=8, show_default=True, help="Directions (rows).")
@click.option("--seeds", default="0-2", show_default=True, help="Seeds in each row.")
@click.option(
    "--strength",
    type=options.FiniteFloatRange(0.1, 20),
    default=3.0,
    show_default=True,
    help="The farthest move along each direction, both ways.",
)
@click.option(
    "--class", "class_name", default=None, metavar="NAME", help="Conditional runs: draw every seed in this class."
)
@click.option("--scale", type=click.IntRange(1, 16), default=None, help="Enlargement of the saved sheet.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), default=None, help="PNG to write [default: inside RUN]."
)
@options.device
@options.runs_dir
@click.pass_obj
def explore(
    host: PluginHost,
    run_ref: str,
    k: int,
    seeds: str,
    strength: float,
    class_name: str | None,
    scale: int | None,
    output: str | None,
    device: str | None,
    runs_dir: str | None,
) -> None:
    """A sheet of RUN's K strongest latent directions (closed-form factorisation, SeFa): row D
    moves each seed from -STRENGTH to +STRENGTH along direction D. Pick one and draw with
    `ganvas sample RUN --seeds S --edit D=+1.5`."""
    from ganvas.drawing.explore import explore_sheet
    from ganvas.io.images import make_grid, save_png
    from ganvas.io.provenance import image_metadata
    from ganvas.training import select_classes

    run_dir = find_run(run_ref, runs_root(runs_dir))
    loaded = load_for_drawing(host, run_dir, device, None, None, None)
    if class_name is not None:
        select_classes(class_name, loaded.drawer.classes)
        loaded = replace(
            loaded, recipe=replace(loaded.recipe, sample=replace(loaded.recipe.sample, classes=class_name))
        )
    seed_list = choose_seeds(seeds, None, "0-2")
    images, strengths, seconds = explore_sheet(loaded, host, seed_list, k, strength)
    sheet = make_grid(images, len(seed_list) * len(strengths))
    meta = image_metadata(loaded.recipe, seed_list, loaded.step, host)
    meta["ganvas:explore"] = json.dumps(
        {
            "directions": k,
            "seeds": seed_list,
            "strengths": strengths,
            "layout": "row per direction; seed, then strength",
        }
    )
    target = unique_path(run_dir / f"explore-k{k}-step{loaded.step:07d}.png" if output is None else Path(output))
    path = save_png(sheet, target, meta, scale=scale or loaded.recipe.sample.scale, resample="nearest")
    click.echo(f"found {k} directions in {seconds * 1000:.1f} ms (SeFa: eigenvectors of the first layer's weights)")
    click.echo(f"rows: directions 0-{k - 1}; each seed {', '.join(f'{s:+g}' for s in strengths)}")
    click.echo(f"image: {path}")


COMMANDS = (explore,)
