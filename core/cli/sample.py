"""``ganvas sample``: draw images for any seeds from a trained run."""

from __future__ import annotations

from pathlib import Path

import click

from ganvas.errors import UserInputError
from ganvas.manager import PluginHost
from ganvas.runs import find_run, runs_root, unique_path

from . import options


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("run_ref", metavar="RUN")
@click.option("--seeds", default=None, help="Seeds like 0-35 or 1,5,9 [default: the recipe's sample.seeds].")
@click.option("--grid/--no-grid", default=None, help="One grid image, or one seedNNNN.png per seed.")
@click.option("--columns", type=click.IntRange(min=0), default=None, help="Grid columns (0: near-square).")
@click.option("--scale", type=click.IntRange(1, 16), default=None, help="Enlargement factor.")
@click.option("--resample", type=click.Choice(["nearest", "bicubic", "lanczos"]), default=None,
              help="Enlarge with crisp pixels (nearest) or smoothly.")
@click.option("--checkpoint", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Use this checkpoint file [default: the run's newest].")
@click.option("-o", "--output", type=click.Path(), default=None,
              help="Output file (grid) or folder (--no-grid) [default: inside RUN].")
@click.option("--force", is_flag=True, help="Allow replacing an existing --output file.")
@options.device
@options.runs_dir
@click.pass_obj
def sample(host: PluginHost, run_ref: str, seeds: str | None, grid: bool | None, columns: int | None,
           scale: int | None, resample: str | None, checkpoint: str | None, output: str | None, force: bool, device: str | None,
           runs_dir: str | None) -> None:
    """Draw images for SEEDS from RUN's EMA generator, through the recipe's stylizer chain.

    RUN is a run folder, a run number, a recipe name (its latest run) or `latest`.
    The same seed always gives the same image.
    """
    from ganvas.device import resolve_device
    from ganvas.sampler import load_run, write_images
    from ganvas.seeds import parse_seeds

    run_dir = find_run(run_ref, runs_root(runs_dir))
    loaded = load_run(run_dir, host, resolve_device(device or "auto"),
                      Path(checkpoint) if checkpoint else None)
    cfg = loaded.recipe.sample
    seed_list = parse_seeds(seeds if seeds is not None else cfg.seeds)
    as_grid = cfg.grid if grid is None else grid
    label = (seeds or cfg.seeds).replace(",", "_")
    if output is None:
        default = run_dir / (f"sample-{label}-step{loaded.step:07d}.png" if as_grid else f"sample-{label}-step{loaded.step:07d}")
        target = unique_path(default)
    else:
        target = Path(output)
        if as_grid and target.exists() and not force:
            raise UserInputError(f"'{output}' already exists; pass --force to replace it")
        if as_grid and target.is_dir():
            raise UserInputError(f"'{output}' is a folder; give a .png file name (or use --no-grid)")
    paths = write_images(loaded, seed_list, host, target, grid=as_grid,
                         columns=cfg.columns if columns is None else columns,
                         scale=cfg.scale if scale is None else scale,
                         resample=cfg.resample if resample is None else resample)
    if as_grid:
        click.echo(f"image: {paths[0]}")
    else:
        click.echo(f"{len(paths)} images in {target}")


COMMANDS = (sample,)
