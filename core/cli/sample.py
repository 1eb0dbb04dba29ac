"""``ganvas sample``: draw images for any seeds from a trained run."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ganvas.cli import options
from ganvas.errors import UserInputError
from ganvas.io.formats import RESAMPLE
from ganvas.io.runs import find_run, runs_root, unique_path
from ganvas.plugin.manager import PluginHost

if TYPE_CHECKING:
    from ganvas.drawing.sampler import LoadedRun
    from ganvas.recipe import ComponentRef


def choose_seeds(seeds: str | None, n: int | None, default: str) -> list[int]:
    """``--seeds`` and ``--n``: the seeds given; N seeds counting up from one given seed; N random
    seeds (printed and embedded, so any of them can be drawn again); else the recipe's."""
    from ganvas.seeds import MAX_SEEDS, parse_seeds

    if n is None:
        return parse_seeds(seeds if seeds is not None else default)
    if n > MAX_SEEDS:
        raise UserInputError(f"--n {n}: at most {MAX_SEEDS} images at once")
    if seeds is None:
        return [secrets.randbelow(1 << 31) for _ in range(n)]
    given = parse_seeds(seeds)
    if len(given) != 1:
        raise UserInputError(
            f"--n {n} with --seeds '{seeds}': give one start seed with --n (e.g. --seeds 100 --n 16), "
            "or a list of seeds without --n"
        )
    return list(range(given[0], given[0] + n))


def load_for_drawing(
    host: PluginHost, run_dir: Path, device: str | None, checkpoint: str | None, step: int | None, ema: bool | None
) -> LoadedRun:
    """The run's generator as the shared drawing options ask (see ``options.drawing``)."""
    from ganvas.device import resolve_device
    from ganvas.drawing.sampler import load_run

    if checkpoint and step:
        raise UserInputError("give --checkpoint FILE or --step N, not both")
    return load_run(
        run_dir, host, resolve_device(device or "auto"), Path(checkpoint) if checkpoint else None, ema=ema, step=step
    )


def explain_drawing(loaded: LoadedRun, settings: Any) -> None:
    """Refuse what the run cannot draw (``--tile``); say whether a size renders natively or upsamples."""
    from ganvas.drawing.canvas import check_drawable

    how = check_drawable(loaded, settings)
    if how:
        click.echo(how, err=True)


def drawing_chain(host: PluginHost, loaded: LoadedRun, specs: tuple[str, ...], none: bool) -> list[ComponentRef]:
    """The stylizer chain: ``-s`` specs, none with ``--no-stylize``, else the recipe's."""
    from ganvas.recipe import ComponentRef

    if specs and none:
        raise UserInputError("give -s stylizers or --no-stylize, not both")
    if none:
        return []
    if specs:
        return [ComponentRef(*host.registry.parse_spec("stylizers", spec)) for spec in specs]
    return list(loaded.recipe.stylize)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("run_ref", metavar="RUN")
@click.option("--seeds", default=None, help="Seeds like 0-35 or 1,5,9 [default: the recipe's sample.seeds].")
@click.option(
    "-n",
    "--n",
    "n",
    type=click.IntRange(min=1),
    default=None,
    help="N random seeds (printed), or N seeds counting up from a single --seeds.",
)
@click.option("--grid/--no-grid", default=None, help="One grid image, or one seedNNNN.png per seed.")
@click.option("--columns", type=click.IntRange(min=0), default=None, help="Grid columns (0: near-square).")
@click.option("--scale", type=click.IntRange(1, 16), default=None, help="Enlargement factor of the saved file.")
@click.option(
    "--resample", type=click.Choice(RESAMPLE), default=None, help="Enlarge with crisp pixels (nearest) or smoothly."
)
@options.drawing
@click.option(
    "--class",
    "classes",
    default=None,
    metavar="NAME[,NAME...]",
    help="Class-conditional runs: draw these classes [default: every class, a row per seed].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    default=None,
    help="Output file (grid) or folder (--no-grid) [default: inside RUN].",
)
@click.option("--force", is_flag=True, help="Allow replacing an existing --output file.")
@options.device
@options.runs_dir
@click.pass_obj
def sample(
    host: PluginHost,
    run_ref: str,
    seeds: str | None,
    n: int | None,
    grid: bool | None,
    columns: int | None,
    scale: int | None,
    resample: str | None,
    classes: str | None,
    output: str | None,
    force: bool,
    device: str | None,
    runs_dir: str | None,
    **drawing: Any,
) -> None:
    """Draw images for SEEDS from RUN, through the recipe's stylizer chain.

    RUN is a run folder, a run number, a recipe name (its latest run) or `latest`.
    The same seed always gives the same image, and every PNG carries the recipe (with these
    drawing settings in its [sample] section), so `ganvas run IMAGE` makes it again.

    \b
    Examples:
      ganvas sample latest --seeds 0-35              # a 6x6 grid
      ganvas sample latest --n 8 --no-grid           # 8 new random seeds, one file each
      ganvas sample latest --seeds 7 --size 256 -s oil -s vignette
      ganvas sample latest --seeds 0-15 --truncation 0.7
      ganvas sample latest --seeds 0-8 --size 512x256 --at 2   # one-picture runs (pyramid)
      ganvas sample latest --seeds 0 --inject sketch.png --at 3
      ganvas sample latest --seeds 0 --enlarge 4
      ganvas sample latest --seeds 0-15 --class mondrian      # class-conditional runs
      ganvas sample latest --seeds 3 --edit 2=+1.5 --edit 5=-1   # along SeFa directions
    """
    from ganvas.drawing.sampler import write_images

    run_dir = find_run(run_ref, runs_root(runs_dir))
    loaded = load_for_drawing(host, run_dir, device, drawing["checkpoint"], drawing["step"], drawing["ema"])
    chain = drawing_chain(host, loaded, drawing["stylize_specs"], drawing["no_stylize"])
    cfg = loaded.recipe.sample
    seed_list = choose_seeds(seeds, n, cfg.seeds)
    given = {"grid": grid, "columns": columns, "resample": resample, "truncation": drawing["psi"]}
    given.update(options.canvas_settings(drawing["size"], drawing["tile"], scale))
    given.update(options.scale_settings(drawing["at"], drawing["inject"], drawing["enlarge"]))
    given.update({"classes": classes, **options.edit_settings(drawing["edits"])})
    settings = replace(cfg, **{k: v for k, v in given.items() if v is not None})
    explain_drawing(loaded, settings)
    if n is not None and seeds is None:
        click.echo("seeds: " + ",".join(map(str, seed_list)), err=True)
    label = (seeds or (f"random{len(seed_list)}" if n else cfg.seeds)).replace(",", "_")
    target = _target(run_dir, output, f"sample-{label}-step{loaded.step:07d}", settings.grid, force)
    paths = write_images(loaded, seed_list, host, target, settings, chain)
    if settings.grid:
        click.echo(f"image: {paths[0]}")
    else:
        click.echo(f"{len(paths)} images in {target}")


def _target(run_dir: Path, output: str | None, stem: str, grid: bool, force: bool) -> Path:
    """Where the images go: ``--output`` (checked: nothing is replaced without --force), else a new
    name inside the run folder."""
    if output is None:
        return unique_path(run_dir / (stem + ".png" if grid else stem))
    target = Path(output)
    if grid and target.is_dir():
        raise UserInputError(f"'{output}' is a folder; give a .png file name (or use --no-grid)")
    if grid and target.exists() and not force:
        raise UserInputError(f"'{output}' already exists; pass --force to replace it")
    if not grid and target.is_file():
        raise UserInputError(f"'{output}' is a file; --no-grid writes one image per seed into a folder")
    return target


COMMANDS = (sample,)
