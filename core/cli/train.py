"""``ganvas run`` (train, sample, stylize) and ``ganvas train`` (train, or ``--resume`` a run)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import click

from ganvas.cli import options
from ganvas.cli.recreate import compare_with_source, made_from, threads_of_image, warn_if_made_otherwise
from ganvas.errors import GanvasError, UserInputError
from ganvas.io.files import write_text_atomic
from ganvas.io.runs import RECIPE_FILE, STATS_FILE, create_run_dir, find_run, runs_root
from ganvas.io.status import STATUS_FILE
from ganvas.plugin.manager import PluginHost
from ganvas.recipe import DEFAULT_RECIPE, Recipe, apply_overrides, load_recipe, parse_recipe, read_recipe_source

#: Recipe keys ``--resume`` may change: they do not alter what the finished steps computed.
RESUMABLE_KEYS = (
    "train.steps",
    "train.sample_every",
    "train.checkpoint_every",
    "train.keep_checkpoints",
    "train.log_every",
    "train.device",
    "sample.",
)


def _start(
    host: PluginHost,
    recipe_ref: str,
    overrides: tuple[str, ...],
    dry_run: bool,
    runs_dir: str | None,
    trust: bool = False,
    world: Any = None,
) -> tuple[Recipe, Path] | None:
    """Load the recipe and make its run folder; of several training processes (``world``), rank 0
    makes it and the others learn its path."""
    recipe = load_recipe(recipe_ref, host.registry, overrides, trust=trust)
    if dry_run:
        click.echo(recipe.to_toml(), nl=False)
        return None
    main = world is None or world.main
    run_dir = create_run_dir(runs_root(runs_dir), recipe.name) if main else None
    if world is not None:
        run_dir = world.broadcast(run_dir)  # rank 0's folder (a single process: its own)
    assert run_dir is not None
    if main:
        write_recipe(run_dir, recipe)
    return recipe, run_dir


def write_recipe(run_dir: Path, recipe: Recipe) -> None:
    """Save the resolved recipe as the run folder's recipe.toml, atomically."""
    write_text_atomic(run_dir / RECIPE_FILE, recipe.to_toml())


def _train(
    host: PluginHost, recipe: Recipe, run_dir: Path, quiet: bool, device: str | None, resume: bool = False
) -> Path:
    from ganvas.training.loop import Trainer  # imports torch: only when training

    if not quiet:
        click.echo(f"run folder: {run_dir}", err=True)
    if resume:
        trainer = Trainer.resume(run_dir, host, recipe, quiet=quiet, device=device)
        if not quiet:
            click.echo(f"resuming at step {trainer.step} of {recipe.train.steps}", err=True)
        return trainer_run(trainer)
    from ganvas.training.distributed import current

    if not current().main:
        return trainer_run(Trainer(recipe, run_dir, host, quiet=True, device=device))
    try:
        trainer = Trainer(recipe, run_dir, host, quiet=quiet, device=device)
        if not quiet:
            data, method = trainer.data, type(trainer.method)
            what = f"{recipe.model.name} with {recipe.loss.name}" if "model" in method.uses else recipe.method.name
            click.echo(
                f"training {what} on {data.name} "
                f"({len(data)} items of {'x'.join(map(str, data.shape))}) on {trainer.device}",
                err=True,
            )
            if data.labeled:
                counts = ", ".join(f"{name} {n}" for name, n in data.class_counts().items())
                learns = "learned per class" if getattr(trainer.method, "classes", ()) else "not used: unconditional"
                click.echo(f"{len(data.classes)} classes ({learns}): {counts}", err=True)
        return trainer_run(trainer)
    except BaseException:
        _remove_unstarted(run_dir)  # a start that fails before its first step leaves no run folder
        raise


def trainer_run(trainer: Any) -> Path:
    """``trainer.run()``; a training process that loses the others (one died) says so in one line."""
    from ganvas.training.distributed import lost_peer

    try:
        return trainer.run()
    except Exception as exc:
        message = lost_peer(exc, trainer.run_dir)
        if message is None:
            raise
        raise GanvasError(message) from None


def _check_output(path: Path) -> None:
    """``--output`` must be a new file in a folder that exists."""
    if path.exists():
        raise UserInputError(f"--output '{path}' already exists; choose another name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UserInputError(f"--output '{path}': the folder '{parent}' does not exist; create it first")


TB_FOLDER = "tensorboard"  # the tensorboard logger's, made when it opens


def _remove_unstarted(run_dir: Path) -> None:
    """Delete a run folder that holds nothing a step made: its recipe, an empty stats file, the
    status and a logger's folder written before the first step."""
    if not run_dir.is_dir():
        return
    names = {p.name for p in run_dir.iterdir()}
    stats = run_dir / STATS_FILE
    if names <= {RECIPE_FILE, STATS_FILE, STATUS_FILE, TB_FOLDER} and (not stats.exists() or stats.stat().st_size == 0):
        shutil.rmtree(run_dir, ignore_errors=True)


def make_art(
    host: PluginHost, recipe: Recipe, run_dir: Path, device: str | None = None, quiet: bool = False
) -> list[Path]:
    """Train ``recipe`` in ``run_dir`` (holding its recipe.toml), then draw its ``[sample]``
    images through its stylizer chain: ``final.png``, or ``images/seedNNNN.png`` files."""
    _train(host, recipe, run_dir, quiet, device)

    from ganvas.device import resolve_device
    from ganvas.drawing.sampler import load_run, write_images
    from ganvas.seeds import parse_seeds

    loaded = load_run(run_dir, host, resolve_device(device or recipe.train.device))
    target = run_dir / ("final.png" if recipe.sample.grid else "images")
    try:
        return write_images(loaded, parse_seeds(recipe.sample.seeds), host, target)
    except Exception as exc:  # training is done and saved: say so, and how to draw without the chain
        culprit = host.blame(exc) or "drawing"
        raise GanvasError(
            f"training finished and is saved ({loaded.checkpoint}), but {culprit} failed while drawing: "
            f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}; draw again with: "
            f"ganvas sample {run_dir} (add --no-stylize to leave the stylizer chain out)"
        ) from exc


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("recipe", default=DEFAULT_RECIPE, metavar="[RECIPE]")
@options.overrides
@click.option("--dry-run", is_flag=True, help="Print the resolved recipe and exit.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also copy the final image here (never overwrites an existing file).",
)
@click.option("--trust", is_flag=True, help="Let a recipe from an image read local files and require plugins.")
@options.device
@options.quiet
@options.runs_dir
@click.pass_obj
def run(
    host: PluginHost,
    recipe: str,
    overrides: tuple[str, ...],
    dry_run: bool,
    output: str | None,
    trust: bool,
    device: str | None,
    quiet: bool,
    runs_dir: str | None,
) -> None:
    """Train RECIPE, then sample and stylize the final image; prints its path.

    RECIPE is a TOML file, a built-in recipe name (see `ganvas recipes`) or an image ganvas made
    (its embedded recipe: the run draws that image again and says whether the pixels match);
    without it the default recipe runs. Everything lands in a new run folder, runs/NNNNN-<name>/.
    """
    if output is not None:
        _check_output(Path(output))  # before training: a refused -o costs nothing and makes no run folder
    made = made_from(recipe)
    threads_of_image(made, recipe)
    started = _start(host, recipe, overrides, dry_run, runs_dir, trust)
    if started is None:
        return
    resolved, run_dir = started
    warn_if_made_otherwise(made, resolved, host)
    paths = make_art(host, resolved, run_dir, device, quiet)
    if output is not None and resolved.sample.grid:
        shutil.copyfile(paths[0], output)
        paths.append(Path(output))
    for path in paths[:1] if resolved.sample.grid else paths[:3]:
        click.echo(f"image: {path}")
    if not resolved.sample.grid:
        click.echo(f"({len(paths)} image{'s' if len(paths) != 1 else ''} in {paths[0].parent})")
    compare_with_source(made, recipe, paths)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("recipe", required=False, metavar="[RECIPE]")
@click.option(
    "--resume",
    "resume",
    metavar="RUN",
    default=None,
    help="Continue RUN (folder, number or name) from its newest checkpoint.",
)
@options.overrides
@click.option("--dry-run", is_flag=True, help="Print the resolved recipe and exit.")
@click.option("--trust", is_flag=True, help="Let a recipe from an image read local files and require plugins.")
@options.device
@options.quiet
@options.runs_dir
@options.launch
@click.pass_obj
def train(
    host: PluginHost,
    recipe: str | None,
    resume: str | None,
    overrides: tuple[str, ...],
    dry_run: bool,
    trust: bool,
    device: str | None,
    quiet: bool,
    runs_dir: str | None,
    nproc: int,
    nnodes: int,
    rdzv_endpoint: str | None,
    rdzv_timeout: int,
) -> None:
    """Train RECIPE into a new run folder, or continue one with --resume RUN.

    \b
    Examples:
      ganvas train circles --set train.steps=500
      ganvas train --resume runs/00003-circles --set train.steps=4000
      ganvas train circles --nproc 2          # two processes (torch.distributed)
    Ctrl-C saves a checkpoint; --resume continues exactly where it stopped (on any --nproc).
    """
    if resume is not None and recipe is not None:
        raise click.UsageError("give either RECIPE or --resume RUN, not both")
    if (nproc > 1 or nnodes > 1) and not _launched() and not dry_run:
        from ganvas.cli.launch import check_batch, launch

        if resume is None:  # a batch the processes cannot share: refused before any process starts
            check_batch(load_recipe(recipe or DEFAULT_RECIPE, host.registry, overrides, trust=trust), nproc * nnodes)
        launch(nproc, nnodes, rdzv_endpoint, rdzv_timeout)
        return
    if not _launched():
        _train_here(host, recipe, resume, overrides, dry_run, trust, device, quiet, runs_dir)
        return
    from ganvas.training import TrainingInterrupted, distributed

    world = distributed.join(rdzv_timeout)
    try:
        _train_here(host, recipe, resume, overrides, dry_run, trust, device, quiet or not world.main, runs_dir, world)
    except (UserInputError, TrainingInterrupted) as exc:
        if world.main:
            raise
        raise SystemExit(exc.exit_code) from None  # the same on every rank: rank 0 says it
    finally:
        distributed.leave()


def _launched() -> bool:
    """Whether torchrun started this process as one of several (without importing torch)."""
    import os

    return int(os.environ.get("WORLD_SIZE", "1") or 1) > 1


def _train_here(
    host: PluginHost,
    recipe: str | None,
    resume: str | None,
    overrides: tuple[str, ...],
    dry_run: bool,
    trust: bool,
    device: str | None,
    quiet: bool,
    runs_dir: str | None,
    world: Any = None,
) -> None:
    """``ganvas train`` in this process: one of several under torchrun when ``world`` says so."""
    main = world is None or world.main
    if resume is not None:
        run_dir = find_run(resume, runs_root(runs_dir))
        resolved = _resume_recipe(host, run_dir, overrides)
        if dry_run:
            click.echo(resolved.to_toml(), nl=False)
            return
        if overrides and main:
            write_recipe(run_dir, resolved)
        checkpoint = _train(host, resolved, run_dir, quiet, device, resume=True)
    else:
        started = _start(host, recipe or DEFAULT_RECIPE, overrides, dry_run, runs_dir, trust, world)
        if started is None:
            return
        resolved, run_dir = started
        checkpoint = _train(host, resolved, run_dir, quiet, device)
    if not main:
        return
    click.echo(f"run: {run_dir}")
    click.echo(f"checkpoint: {checkpoint}")
    samples = sorted((run_dir / "samples").glob("step-*.png"))
    if samples:
        click.echo(f"samples: {samples[-1]}")


def _resume_recipe(host: PluginHost, run_dir: Path, overrides: tuple[str, ...]) -> Recipe:
    path = run_dir / RECIPE_FILE
    if not path.is_file():
        raise UserInputError(f"'{run_dir}' is not a ganvas run folder (it has no {RECIPE_FILE})")
    for item in overrides:
        key = item.partition("=")[0].strip()
        if not any(key == k or (k.endswith(".") and key.startswith(k)) for k in RESUMABLE_KEYS):
            raise UserInputError(
                f"--set {key}: a resumed run keeps its recipe; only these may change: "
                + ", ".join(k + "*" if k.endswith(".") else k for k in RESUMABLE_KEYS)
            )
    raw, _ = read_recipe_source(path)  # a damaged recipe.toml: one line naming it
    apply_overrides(raw, overrides)
    return parse_recipe(raw, host.registry, source=str(path))


COMMANDS = (run, train)
