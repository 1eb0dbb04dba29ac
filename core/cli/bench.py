"""``ganvas bench NAME``: every benchmark, in one place. Each prints measured figures (``--json``
for scripts) and compares against a baseline measured in the same run; none asserts a timing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ganvas.plugin.manager import PluginHost

__all__ = ["bench"]

_CTX = {"help_option_names": ["-h", "--help"]}
_DEVICE = click.option("--device", type=click.Choice(["auto", "cpu", "cuda", "mps"]), default="auto", show_default=True)
_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def _emit(report: Any, as_json: bool, text: str) -> None:
    """Print ``report`` as indented JSON, or ``text`` (its human-readable form)."""
    click.echo(json.dumps(report, indent=2) if as_json else text)


@click.group(context_settings={**_CTX, "max_content_width": 100})
def bench() -> None:
    """Benchmarks that print measured figures (add --json for scripts)."""


@bench.command("loop", context_settings=_CTX)
@click.option("--size", type=click.Choice(["16", "32", "64"]), default="32", show_default=True, help="Image size.")
@click.option("--width", type=click.IntRange(min=4), default=32, show_default=True, help="DCGAN width.")
@click.option("--batch", type=click.IntRange(min=1), default=64, show_default=True)
@click.option("--steps", type=click.IntRange(min=1), default=10, show_default=True, help="Steps per round and side.")
@click.option("--rounds", type=click.IntRange(min=1), default=7, show_default=True, help="Alternating rounds.")
@_DEVICE
@_JSON
@click.pass_obj
def loop(
    host: PluginHost, size: str, width: int, batch: int, steps: int, rounds: int, device: str, as_json: bool
) -> None:
    """Time ganvas's training step against a bare PyTorch loop (same DCGAN, loss, Adam, batch).

    The two alternate in one process; the ratio ganvas/bare is the median of the per-round
    ratios. Target: <= 1.05 (the method and plugin machinery must cost almost nothing).
    """
    from ganvas.bench.loop import format_report, run_loop_benchmark

    report = run_loop_benchmark(
        host,
        size=int(size),
        width=width,
        batch=batch,
        steps=steps,
        rounds=rounds,
        device=device,
        progress=None if as_json else click.echo,
    )
    _emit(report, as_json, format_report(report))


@bench.command("modes", context_settings=_CTX)
@click.argument("recipes", nargs=-1, metavar="[RECIPE]...")
@click.option("--trials", type=click.IntRange(min=1), default=5, show_default=True)
@click.option(
    "--baseline/--no-baseline",
    default=True,
    show_default=True,
    help="Also run each recipe with the plain nonsaturating loss and no regularisers.",
)
@click.option("--set", "overrides", multiple=True, metavar="KEY.PATH=VALUE", help="Override recipe values.")
@_JSON
@click.pass_obj
def modes(
    host: PluginHost, recipes: tuple[str, ...], trials: int, baseline: bool, overrides: tuple[str, ...], as_json: bool
) -> None:
    """Mode coverage on the 2-D ring (8) and grid (25) mixtures, beside PacGAN's published table.

    Trains each RECIPE (default: the built-in ring8 and grid25) for --trials seeds, draws 2,500
    samples from each EMA generator and reports modes captured, high-quality samples (within 3 std)
    and reverse KL, as mean ± standard error, with wall time per trial. The baseline is the same
    recipe with the plain nonsaturating loss and no regularisers (skipped when it is the same).
    """
    from ganvas.bench.modes import format_table, run_modes_benchmark

    log = None if as_json else (lambda line: click.echo(line, err=True))
    reports = run_modes_benchmark(host, recipes, trials, baseline, list(overrides), log)
    _emit(reports, as_json, format_table(reports))


@bench.command("augment", context_settings=_CTX)
@click.option("--batch", type=click.IntRange(min=1), default=64, show_default=True)
@click.option("--size", type=click.IntRange(min=8), default=64, show_default=True, help="Image side.")
@click.option("--repeats", type=click.IntRange(min=1), default=10, show_default=True, help="Calls per round and side.")
@click.option("--rounds", type=click.IntRange(min=1), default=7, show_default=True, help="Alternating rounds.")
@click.option(
    "--step-rounds",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Rounds of the DCGAN-step share measurement (0 skips it).",
)
@click.option("--width", type=click.IntRange(min=4), default=32, show_default=True, help="DCGAN width.")
@_DEVICE
@_JSON
@click.pass_obj
def augment(
    host: PluginHost,
    batch: int,
    size: int,
    repeats: int,
    rounds: int,
    step_rounds: int,
    width: int,
    device: str,
    as_json: bool,
) -> None:
    """Time DiffAugment (color,translation,cutout) forward+backward against plain PyTorch.

    Both sides alternate in one process; the ratio ganvas/plain is the median of per-round
    ratios (target <= 1.2). Also reports the share of a DCGAN training step spent augmenting.
    """
    from ganvas.bench.augment import format_report, run_augment_benchmark

    report = run_augment_benchmark(
        host,
        batch=batch,
        size=size,
        repeats=repeats,
        rounds=rounds,
        step_rounds=step_rounds,
        width=width,
        device=device,
        progress=None if as_json else click.echo,
    )
    _emit(report, as_json, format_report(report))


@bench.command("augment-quality", context_settings=_CTX)
@click.option(
    "--data",
    type=click.Choice(["procedural", "folder"]),
    default="procedural",
    show_default=True,
    help="100 procedural images in memory, or images read from files through folder:.",
)
@click.option(
    "--folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Your own image folder (implies --data folder; 100 train, the rest are held out).",
)
@click.option("--steps", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--seeds", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--samples", type=click.IntRange(min=4), default=512, show_default=True)
@click.option(
    "--grids",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Save a grid of 64 samples of each run here (to look at).",
)
@_JSON
@click.pass_obj
def augment_quality(
    host: PluginHost,
    data: str,
    folder: Path | None,
    steps: int,
    seeds: int,
    samples: int,
    grids: Path | None,
    as_json: bool,
) -> None:
    """Does augmentation help on 100 images? Laplacian SWD of DCGANs trained without augmentation,
    with DiffAugment and with ADA, against held-out images, beside the real-vs-real floor."""
    from ganvas.bench.augment_quality import format_report, run

    report = run(
        host,
        steps,
        seeds,
        samples,
        data="folder" if folder else data,
        folder=folder,
        grids=grids,
        log=(lambda *_: None) if as_json else click.echo,
    )
    _emit(report, as_json, format_report(report))


@bench.command("threads", context_settings=_CTX)
@click.option("--recipe", default="default", show_default=True, help="Recipe whose training step is timed.")
@click.option("--steps", type=click.IntRange(min=1), default=5, show_default=True, help="Steps per round and count.")
@click.option("--rounds", type=click.IntRange(min=1), default=3, show_default=True, help="Alternating rounds.")
@click.option("--load", type=click.IntRange(min=0), default=None, help="Busy processes for 'loaded' [CPU count].")
@_JSON
@click.pass_obj
def threads(host: PluginHost, recipe: str, steps: int, rounds: int, load: int | None, as_json: bool) -> None:
    """Training speed by torch thread count, on the CPU as it is and under load.

    Times RECIPE's training step with 1, 2 and torch's default number of threads, in alternating
    rounds, then again while one busy process per CPU core competes; prints images/s and the ratio
    to torch's default (what ganvas's --threads default is chosen from).
    """
    from ganvas.bench.threads import format_report, run_threads_benchmark

    report = run_threads_benchmark(host, recipe, steps=steps, rounds=rounds, load=load)
    _emit(report, as_json, format_report(report))


@bench.command("resolution", context_settings=_CTX)
@click.option(
    "--steps", type=click.IntRange(min=1), default=None, help="DCGAN training steps.  [default: the recipe's]"
)
@click.option("--samples", type=click.IntRange(min=4), default=256, show_default=True, help="Images per SWD set.")
@click.option(
    "--size", type=click.IntRange(16, 4096), default=1024, show_default=True, help="Side of the edge pictures."
)
@click.option(
    "--render", type=click.IntRange(16, 8192), default=2048, show_default=True, help="Side of the timed render."
)
@click.option(
    "--seeds", type=click.IntRange(min=1), default=8, show_default=True, help="Seeds of the edge and tile pictures."
)
@click.option("--quick", is_flag=True, help="Tiny sizes and counts, for tests (the figures mean nothing).")
@_DEVICE
@_JSON
@click.pass_obj
def resolution(
    host: PluginHost,
    steps: int | None,
    samples: int,
    size: int,
    render: int,
    seeds: int,
    quick: bool,
    device: str,
    as_json: bool,
) -> None:
    """Does a generator that renders at any size beat upsampling? cppn against the default DCGAN.

    On the default recipe's data and the DCGAN's CPU time: the Laplacian SWD at the training size
    (target: cppn within 1.2x of the DCGAN's); edge width and gradient at --size px, cppn rendered
    natively against the DCGAN upsampled bicubically (target: edges at least 4x narrower); seconds
    and peak memory of one --render px picture (target: <= 10 s); and the seam error of a spatial
    texture model's tiles (target: no more than the difference between adjacent pixels). About ten
    minutes at the defaults on 2 CPU cores; progress goes to stderr.
    """
    from click.core import ParameterSource

    from ganvas.bench.resolution import format_report, run_resolution_benchmark, settings_for

    ctx = click.get_current_context()
    options = {"steps": steps, "samples": samples, "size": size, "render": render, "seeds": seeds}
    given = {k: v for k, v in options.items() if ctx.get_parameter_source(k) is not ParameterSource.DEFAULT}
    report = run_resolution_benchmark(
        host, settings_for(quick, device=device, **given), log=lambda line: click.echo(line, err=True)
    )
    _emit(report, as_json, format_report(report))


@bench.command("single-image", context_settings=_CTX)
@click.argument("pictures", nargs=-1, metavar="[PICTURE]...")
@click.option(
    "--size", type=click.IntRange(16, 2048), default=250, show_default=True, help="Longer side of the picture."
)
@click.option("--steps", type=click.IntRange(min=1), default=None, help="Training steps.  [default: the recipe's]")
@click.option("--samples", type=click.IntRange(min=2), default=16, show_default=True, help="Variations scored.")
@click.option(
    "--images",
    type=click.Path(file_okay=False),
    default=None,
    help="Write each picture and its variations to DIR/PICTURE.png, to look at.",
)
@click.option("--quick", is_flag=True, help="Tiny sizes and a few steps, for tests (the figures mean nothing).")
@_DEVICE
@_JSON
@click.pass_obj
def single_image(
    host: PluginHost,
    pictures: tuple[str, ...],
    size: int,
    steps: int | None,
    samples: int,
    images: str | None,
    quick: bool,
    device: str,
    as_json: bool,
) -> None:
    """Art from one picture: the `stones` recipe's pyramid trained on each PICTURE, timed and scored.

    PICTURE is a file or a name image: takes (landscape, hubble, ...) [default: the built-in
    pictures, and scikit-image's public-domain photos with the bench extra]. For 16 variations:
    the Laplacian SWD of their patches against the picture's, beside the floor (two disjoint sets
    of the picture's own crops; target <= 1.5x), the mean per-pixel standard deviation across them,
    and their smallest distance to the picture against the reconstruction's (target >= 2x: no
    copies). Target time: <= 600 s for a 250-px picture on 2 CPU cores. Progress goes to stderr.
    """
    from ganvas.bench.single_image import Settings, default_pictures, format_report, run_single_image_benchmark

    chosen = list(pictures) or default_pictures()
    settings = Settings(size=size, steps=steps, samples=samples, device=device, quick=quick, images=images)
    report = run_single_image_benchmark(host, chosen, settings, log=lambda line: click.echo(line, err=True))
    _emit(report, as_json, format_report(report))


@bench.command("control", context_settings=_CTX)
@click.option("--steps", type=click.IntRange(min=1), default=None, help="Training steps.  [default: the recipe's]")
@click.option("--samples", type=click.IntRange(min=2), default=256, show_default=True, help="Images per class judged.")
@click.option("--k", type=click.IntRange(1, 16), default=8, show_default=True, help="SeFa directions measured.")
@click.option("--images", type=click.Path(file_okay=False), default=None, help="Write DIR/classes.png, DIR/sefa.png.")
@click.option(
    "--recipe", default="styles", show_default=True, help="A conditional recipe on procedural:mixed (name or path)."
)
@click.option("--set", "overrides", multiple=True, metavar="KEY.PATH=VALUE", help="Override recipe values.")
@click.option("--quick", is_flag=True, help="Tiny sizes and a few steps, for tests (the figures mean nothing).")
@_DEVICE
@_JSON
@click.pass_obj
def control(host: PluginHost, as_json: bool, **given: Any) -> None:
    """Conditional generation and latent directions: the `styles` recipe (a class-conditional
    DCGAN on procedural:mixed) trained, then a CNN judge trained on other real drawings labels
    its samples (Classification Accuracy Score; target >= 90 %), beside the judge's accuracy on
    held-out real drawings and per-class SWD; and SeFa's time and the consistency of each
    direction across seeds, beside random directions'. Progress goes to stderr."""
    from ganvas.bench.control import Settings, format_report, run_control_benchmark

    settings = Settings(**{**given, "overrides": tuple(given["overrides"])})
    report = run_control_benchmark(host, settings, log=lambda line: click.echo(line, err=True))
    _emit(report, as_json, format_report(report))
