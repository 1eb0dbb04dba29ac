"""``ganvas animate``: a looping latent walk through keyframe seeds, or a training time-lapse."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from ganvas.cli import options
from ganvas.cli.sample import choose_seeds, drawing_chain, explain_drawing, load_for_drawing
from ganvas.errors import UserInputError
from ganvas.io.formats import ANIMATION_SUFFIXES, RESAMPLE
from ganvas.io.runs import find_run, runs_root
from ganvas.plugin.manager import PluginHost

_FORMATS = tuple(ANIMATION_SUFFIXES)
_SUFFIXES = {*ANIMATION_SUFFIXES.values(), ".apng"}  # what -o may end in
DEFAULT_SEEDS = "0-3"
DEFAULT_FRAMES = 48
DEFAULT_FPS = 12
TIMELAPSE_FPS = 4
TIMELAPSE_HOLD_MS = 1500


def parse_formats(values: tuple[str, ...]) -> list[str]:
    """``--format gif --format mp4`` or ``--format gif,apng``: the formats in order, no repeats."""
    from ganvas.errors import did_you_mean

    if not values:
        return ["gif", "apng"]
    out: list[str] = []
    for value in values:
        for name in value.split(","):
            name = name.strip().lower()
            if not name:
                continue
            if name == "png":
                name = "apng"
            if name not in _FORMATS:
                raise UserInputError(f"unknown --format '{name}'; {did_you_mean(name, _FORMATS)}")
            if name not in out:
                out.append(name)
    if not out:
        raise UserInputError("--format: name at least one of gif, apng, mp4")
    return out


def free_stem(stem: Path, formats: list[str]) -> Path:
    """``stem`` if none of its files exist, else ``stem-2``, ``stem-3``, ...: never replace files."""

    def taken(s: Path) -> bool:
        return any(s.with_name(s.name + ANIMATION_SUFFIXES[f]).exists() for f in formats)

    candidate, k = stem, 2
    while taken(candidate):
        candidate = stem.with_name(f"{stem.name}-{k}")
        k += 1
    return candidate


def output_stem(output: str, formats: list[str], force: bool) -> Path:
    """The ``-o`` stem: a known suffix (``walk.gif``) is dropped; existing files need ``--force``."""
    stem = Path(output).expanduser()
    if stem.suffix.lower() in _SUFFIXES:
        stem = stem.with_suffix("")
    if stem.is_dir():
        raise UserInputError(f"'{output}' is a folder; give a file name stem like {Path(output) / 'walk'}")
    if not force:
        for f in formats:
            target = stem.with_name(stem.name + ANIMATION_SUFFIXES[f])
            if target.exists():
                raise UserInputError(f"'{target}' already exists; pass --force to replace it")
    return stem


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("run_ref", metavar="RUN")
@click.option("--seeds", default=None, help=f"Keyframe seeds the walk loops through [default: {DEFAULT_SEEDS}].")
@click.option(
    "-n",
    "--n",
    "n",
    type=click.IntRange(min=2),
    default=None,
    help="N random keyframe seeds (printed), or N seeds counting up from a single --seeds.",
)
@click.option(
    "--frames",
    type=click.IntRange(2, 5000),
    default=None,
    help=f"Frames in the whole loop [default: {DEFAULT_FRAMES}].",
)
@click.option(
    "--fps",
    type=click.IntRange(1, 50),
    default=None,
    help=f"Frames per second [default: {DEFAULT_FPS}; {TIMELAPSE_FPS} with --timelapse].",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="gif,apng,mp4",
    help="Files to write (repeatable or comma list): gif, apng (an animated .png), mp4 "
    "(needs ffmpeg) [default: gif,apng].",
)
@click.option(
    "--scale",
    type=click.IntRange(1, 16),
    default=None,
    help="Enlargement factor of the frames [default: the recipe's sample.scale].",
)
@click.option(
    "--resample",
    type=click.Choice(RESAMPLE),
    default=None,
    help="Enlarge with crisp pixels (nearest) or smoothly [default: sample.resample].",
)
@click.option(
    "--timelapse", is_flag=True, help="Instead of a walk: the run's training sample grids (samples/), in step order."
)
@options.drawing
@click.option(
    "--classes",
    default=None,
    metavar="NAME,NAME...",
    help="Class-conditional runs: morph between these classes, each keyframe seed in each class in turn.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    default=None,
    help="Output stem: STEM.gif, STEM.png, STEM.mp4 [default: inside RUN].",
)
@click.option("--force", is_flag=True, help="Allow replacing existing --output files.")
@options.device
@options.runs_dir
@click.pass_obj
def animate(
    host: PluginHost,
    run_ref: str,
    seeds: str | None,
    n: int | None,
    frames: int | None,
    fps: int | None,
    formats: tuple[str, ...],
    scale: int | None,
    resample: str | None,
    timelapse: bool,
    classes: str | None,
    output: str | None,
    force: bool,
    device: str | None,
    runs_dir: str | None,
    **drawing: Any,
) -> None:
    """Animate RUN: a seamless loop through keyframe SEEDS, or a training time-lapse.

    RUN is a run folder, a run number, a recipe name (its latest run) or `latest`.
    The walk slerps from seed to seed and back to the first; each keyframe is exactly the
    image `ganvas sample RUN --seeds SEED` draws, with the same drawing options. Files go next
    to each other: STEM.gif (256 colours, small), STEM.png (an animated PNG: lossless, shown
    animated by browsers, and carrying the recipe and the animation settings) and STEM.mp4
    (when ffmpeg is installed).

    \b
    Examples:
      ganvas animate latest                          # seeds 0-3, 48 frames at 12 fps
      ganvas animate latest --seeds 7,12,40 --frames 90 --format gif,mp4
      ganvas animate latest --n 6 --truncation 0.7 --scale 4 --resample lanczos
      ganvas animate latest --timelapse              # how training went, grid by grid
    """
    from ganvas.drawing.animate import save_animation

    fmts = parse_formats(formats)
    run_dir = find_run(run_ref, runs_root(runs_dir))
    drawing["classes"] = classes
    if timelapse:
        plan = _timelapse(host, run_dir, seeds, n, frames, fps, scale, resample, drawing)
    else:
        plan = _walk(host, run_dir, seeds, n, frames, fps, scale, resample, device, drawing)
    pictures, meta, stem_name, rate, enlarge, how, hold = plan
    stem = free_stem(run_dir / stem_name, fmts) if output is None else output_stem(output, fmts, force)
    written = save_animation(
        pictures,
        stem,
        rate,
        fmts,
        meta,
        scale=enlarge,
        resample=how,
        hold_last_ms=hold,
        overwrite=output is not None and force,
    )
    for path in written:
        click.echo(f"animation: {path}")


def _timelapse(
    host: PluginHost,
    run_dir: Path,
    seeds: str | None,
    n: int | None,
    frames: int | None,
    fps: int | None,
    scale: int | None,
    resample: str | None,
    drawing: dict[str, Any],
) -> tuple[Any, ...]:
    """The frames and settings of a training time-lapse (drawing options do not apply to it)."""
    from ganvas.drawing.animate import timelapse_frames

    given = [name for name, value in (("--seeds", seeds), ("-n", n), ("--frames", frames)) if value is not None]
    given += [
        f"--{key.replace('_', '-')}"
        for key in ("checkpoint", "step", "ema", "size", "tile", "at", "inject", "enlarge", "classes")
        if drawing[key] is not None
    ]
    if drawing["edits"]:
        given.append("--edit")
    if drawing["psi"] is not None:
        given.append("--truncation")
    if drawing["stylize_specs"] or drawing["no_stylize"]:
        given.append("-s/--no-stylize")
    if given:
        raise UserInputError(
            f"--timelapse shows the training sample grids as they are; {', '.join(given)} only apply to a walk"
        )
    from ganvas.drawing.sampler import read_run_recipe
    from ganvas.io.images import read_png_text

    cfg = read_run_recipe(run_dir, host).sample
    paths, pictures = timelapse_frames(run_dir)
    steps = [int(p.stem.partition("-")[2]) for p in paths]
    rate = fps or TIMELAPSE_FPS
    meta = read_png_text(paths[-1])
    meta["ganvas:animation"] = json.dumps(
        {"mode": "timelapse", "steps": steps, "frames": len(paths), "fps": rate, "hold_last_ms": TIMELAPSE_HOLD_MS}
    )
    stem_name = f"timelapse-step{steps[-1]:07d}"
    # the grids were saved at sample.scale already: enlarge further only when asked
    enlarge, how, hold = scale or 1, resample or cfg.resample, TIMELAPSE_HOLD_MS
    return pictures, meta, stem_name, rate, enlarge, how, hold


def _keyframes(seeds: str | None, n: int | None, frames: int | None, classes: int = 0) -> tuple[list[int], int]:
    """The walk's keyframe seeds (each in each of ``classes`` when morphing) and frame count, checked."""
    seed_list = choose_seeds(seeds, n, DEFAULT_SEEDS if not classes else "0")
    if classes:
        seed_list = [s for _ in range(classes) for s in seed_list]
    if len(seed_list) < 2:
        raise UserInputError(
            f"a walk needs at least 2 keyframe seeds, got '{seeds}'; e.g. --seeds {seed_list[0]}-"
            f"{seed_list[0] + 3} (or --timelapse)"
        )
    count = frames or DEFAULT_FRAMES
    if count < len(seed_list):
        raise UserInputError(
            f"--frames {count} cannot visit {len(seed_list)} keyframes; give --frames {len(seed_list)} or more"
        )
    return seed_list, count


def _walk(
    host: PluginHost,
    run_dir: Path,
    seeds: str | None,
    n: int | None,
    frames: int | None,
    fps: int | None,
    scale: int | None,
    resample: str | None,
    device: str | None,
    drawing: dict[str, Any],
) -> tuple[Any, ...]:
    """The frames and settings of a looping latent walk through keyframe seeds."""
    from ganvas.drawing.animate import latent_walk
    from ganvas.drawing.control import check_control
    from ganvas.training import select_classes

    loaded = load_for_drawing(host, run_dir, device, drawing["checkpoint"], drawing["step"], drawing["ema"])
    morph = select_classes(drawing["classes"], loaded.drawer.classes, "--classes") if drawing["classes"] else []
    if len(morph) == 1:
        raise UserInputError(f"--classes '{drawing['classes']}': name two or more classes to morph between")
    seed_list, count = _keyframes(seeds, n, frames, len(morph))
    labels = [k for k in morph for _ in range(len(seed_list) // len(morph))] if morph else None
    if not loaded.kind.pictures:
        raise UserInputError(
            f"run '{run_dir}' learns {loaded.kind.kind}; animations need an image run "
            "(--timelapse shows its training plots)"
        )
    chain = drawing_chain(host, loaded, drawing["stylize_specs"], drawing["no_stylize"])
    cfg = loaded.recipe.sample
    given = {"resample": resample, "truncation": drawing["psi"]}
    given.update(options.canvas_settings(drawing["size"], drawing["tile"], scale))
    given.update(options.scale_settings(drawing["at"], drawing["inject"], drawing["enlarge"]))
    given.update(options.edit_settings(drawing["edits"]))
    settings = replace(cfg, **{k: v for k, v in given.items() if v is not None})
    explain_drawing(loaded, settings)
    check_control(loaded, settings)
    if n is not None and seeds is None:
        click.echo("seeds: " + ",".join(map(str, seed_list)), err=True)
    rate = fps or DEFAULT_FPS
    pictures = latent_walk(loaded, host, seed_list, count, chain=chain, settings=settings, labels=labels)
    from ganvas.drawing.sampler import drawn_recipe
    from ganvas.io.provenance import image_metadata
    from ganvas.seeds import format_seeds

    meta = image_metadata(drawn_recipe(loaded, settings, chain, seed_list), seed_list, loaded.step, host)
    walk: dict[str, Any] = {"mode": "walk", "seeds": seed_list, "frames": count, "fps": rate}
    if labels is not None:
        walk["classes"] = [loaded.drawer.classes[k] for k in labels]
    meta["ganvas:animation"] = json.dumps({**walk, "interpolation": "slerp", "loop": True})
    label = f"random{len(seed_list)}" if n is not None and seeds is None else format_seeds(seed_list)
    label = label.replace(",", "_")
    if len(label) > 40:
        label = f"{len(seed_list)}seeds"
    stem_name = f"walk-{label}-step{loaded.step:07d}"
    enlarge, how, hold = settings.scale, settings.resample, 0
    return pictures, meta, stem_name, rate, enlarge, how, hold


COMMANDS = (animate,)
