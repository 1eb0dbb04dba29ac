"""``ganvas gallery build|page``: train the gallery's recipes and write its README.md and index.html."""

from __future__ import annotations

import datetime
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from ganvas.cli import options
from ganvas.cli.train import make_art, write_recipe
from ganvas.gallery import build as gal
from ganvas.gallery import page as gallery_page
from ganvas.io.files import atomic_write
from ganvas.io.runs import create_run_dir, runs_root
from ganvas.plugin.manager import PluginHost

_CONTEXT = {"help_option_names": ["-h", "--help"]}


def _gallery_option(f: Any) -> Any:
    return click.option(
        "--gallery",
        "gallery_dir",
        type=click.Path(file_okay=False),
        default="gallery",
        show_default=True,
        help="The gallery folder: recipes/*.toml in, pictures and pages out.",
    )(f)


@click.group("gallery", context_settings=_CONTEXT)
def gallery_group() -> None:
    """The gallery: every recipe in gallery/recipes/, its picture, and pages showing them.

    \b
      ganvas gallery build             train every recipe, write pictures, README.md, index.html
      ganvas gallery build --missing   only recipes whose picture is missing or out of date
      ganvas gallery page              rewrite README.md and index.html without training
    """


@gallery_group.command("build", context_settings=_CONTEXT)
@_gallery_option
@click.option("--only", "names", multiple=True, metavar="NAME", help="Build only recipe NAME (repeatable).")
@click.option(
    "--missing", is_flag=True, help="Skip recipes whose picture exists and embeds the recipe its TOML resolves to."
)
@click.option("--no-walks", is_flag=True, help="No latent-walk animations (faster).")
@options.device
@options.quiet
@options.runs_dir
@click.pass_obj
def build(
    host: PluginHost,
    gallery_dir: str,
    names: tuple[str, ...],
    missing: bool,
    no_walks: bool,
    device: str | None,
    quiet: bool,
    runs_dir: str | None,
) -> None:
    """Train the gallery's recipes (each in a new run folder) and copy their pictures into it.

    For recipe NAME it writes NAME.png (the final image, its recipe embedded) and, for image
    recipes, NAME.walk.gif (a looping walk through 4 of its seeds); gallery.json records each
    build's time, and README.md and index.html show them all.
    """
    gallery = gal.open_gallery(gallery_dir, host.registry)
    manifest = gal.read_manifest(gallery.root)
    walks = not no_walks
    todo = []
    for entry in gallery.select(names):
        reason = gal.stale_reason(gallery, entry, manifest, walks) if missing else "building all"
        if reason is None:
            _say(quiet, f"{entry.name}: up to date, skipped")
        else:
            todo.append(entry)
            if missing:
                _say(quiet, f"{entry.name}: to build ({reason})")
    built = []
    for i, entry in enumerate(todo, 1):
        _say(quiet, f"[{i}/{len(todo)}] {entry.name}: training {entry.recipe.train.steps:,} steps")
        record = _build_one(host, gallery, entry, runs_root(runs_dir), device, quiet, walks)
        manifest["recipes"][entry.name] = record
        gal.write_manifest(gallery.root, manifest, gallery)
        gallery_page.write_pages(gallery, manifest)  # after every recipe: an interrupted build keeps what it made
        built.append(entry.name)
        _say(quiet, f"{entry.name}: {record['seconds']:.1f} s, wrote {', '.join(record['files'])}")
    gal.write_manifest(gallery.root, manifest, gallery)
    pages = gallery_page.write_pages(gallery, manifest)
    _summary(gallery, manifest, built, pages)


@gallery_group.command("page", context_settings=_CONTEXT)
@_gallery_option
@click.pass_obj
def page(host: PluginHost, gallery_dir: str) -> None:
    """Rewrite README.md and index.html from the pictures and gallery.json, without training."""
    gallery = gal.open_gallery(gallery_dir, host.registry)
    manifest = gal.read_manifest(gallery.root)
    _summary(gallery, manifest, [], gallery_page.write_pages(gallery, manifest))


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        click.echo(message, err=True)


def _build_one(
    host: PluginHost, gallery: gal.Gallery, entry: gal.Entry, root: Path, device: str | None, quiet: bool, walks: bool
) -> dict[str, Any]:
    from ganvas import __version__
    from ganvas.device import resolve_device
    from ganvas.drawing.sampler import load_run

    recipe = entry.recipe
    run_dir = create_run_dir(root, recipe.name)
    write_recipe(run_dir, recipe)
    started = time.perf_counter()
    paths = make_art(host, recipe, run_dir, device, quiet)
    seconds = time.perf_counter() - started
    image = gallery.image(entry.name)
    atomic_write(image, lambda tmp: shutil.copyfile(paths[0], tmp))
    files = [image, *gal.write_print_files(gallery, entry)]
    for old in gallery.walk_files(entry.name):  # a walk of the previous model is stale now
        old.unlink(missing_ok=True)
    gallery.curves(entry.name).unlink(missing_ok=True)  # the previous model's
    files += _curves(gallery, entry, run_dir, quiet)
    loaded = load_run(run_dir, host, resolve_device(device or recipe.train.device))
    walk_seconds = None
    walkable = loaded.kind.pictures and not loaded.drawer.translates  # a repair run has no latent space to walk
    if walks and walkable:
        started = time.perf_counter()
        files += _walk(host, gallery, entry, loaded)
        walk_seconds = round(time.perf_counter() - started, 1)
    import torch

    return {
        "title": recipe.name,
        "description": recipe.description,
        "kind": loaded.kind.kind,
        "recipe": entry.path.relative_to(gallery.root).as_posix(),
        "command": gallery.command(entry),
        "files": [p.relative_to(gallery.root).as_posix() for p in files],
        "seconds": round(seconds, 1),
        "walk_seconds": walk_seconds,
        **({} if walkable else {"walks": False}),
        "steps": loaded.step,
        "device": _device_label(loaded.drawer.device),
        "versions": f"ganvas {__version__}; torch {torch.__version__}",
        "built": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def _curves(gallery: gal.Gallery, entry: gal.Entry, run_dir: Path, quiet: bool) -> list[Path]:
    """The build's training curves, small (the plot extra); none without matplotlib or stats."""
    from ganvas.errors import GanvasError
    from ganvas.watch.plot import plot_run

    try:
        return [plot_run(run_dir, gallery.curves(entry.name), title=f"{entry.name}: training", dpi=55)]
    except GanvasError as exc:  # matplotlib missing, or a recipe that logged nothing
        _say(quiet, f"{entry.name}: no curves ({exc})")
        return []


def _walk(host: PluginHost, gallery: gal.Gallery, entry: gal.Entry, loaded: Any) -> list[Path]:
    """A looping latent walk through the recipe's first seeds, drawn as the recipe draws."""
    from ganvas.drawing.animate import latent_walk, save_animation
    from ganvas.drawing.sampler import drawn_recipe
    from ganvas.io.provenance import image_metadata
    from ganvas.seeds import parse_seeds

    sample = entry.recipe.sample
    if max(sample.size, sample.height) > gal.WALK_CANVAS:  # a print-size recipe walks at a small size,
        k = gal.WALK_CANVAS / max(sample.size, sample.height)  # in its own aspect ratio
        height = max(1, round(sample.height * k)) if sample.height else 0
        sample = replace(sample, size=max(1, round(sample.size * k)), height=height, tile=False)
    seeds = parse_seeds(sample.seeds)[: gal.WALK_KEYFRAMES]
    while len(seeds) < 2:
        seeds.append(seeds[-1] + 1)
    frames = latent_walk(loaded, host, seeds, gal.WALK_FRAMES, settings=sample)
    meta = image_metadata(drawn_recipe(loaded, sample, loaded.recipe.stylize, seeds), seeds, loaded.step, host)
    meta["ganvas:animation"] = (
        f"latent walk through seeds {', '.join(map(str, seeds))}: {gal.WALK_FRAMES} frames at {gal.WALK_FPS} fps"
    )
    scale = max(1, min(sample.scale, gal.WALK_PIXELS // frames.shape[-1]))
    return save_animation(
        frames,
        gallery.walk_stem(entry.name),
        gal.WALK_FPS,
        formats=gal.WALK_FORMATS,
        metadata=meta,
        scale=scale,
        resample=sample.resample,
    )


def _device_label(device: Any) -> str:
    import torch

    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "cpu":
        return f"CPU, {torch.get_num_threads()} threads"
    return device.type


def _summary(gallery: gal.Gallery, manifest: dict[str, Any], built: list[str], pages: list[Path]) -> None:
    records = manifest["recipes"]
    for entry in gallery.entries:
        record = records.get(entry.name)
        if record is None:
            click.echo(f"{entry.name:<16} not built yet")
            continue
        mark = "built" if entry.name in built else "kept"
        files = ", ".join(record.get("files", []))
        click.echo(f"{entry.name:<16} {mark:<5} {record.get('seconds', 0):8.1f} s  {files}")
    size = gal.gallery_size(gallery.root)
    click.echo(f"pages: {', '.join(str(p) for p in pages)}")
    click.echo(f"gallery size: {gal.format_size(size)} in {gallery.root}")
    left = gal.orphans(gallery)
    if left:
        click.echo(f"note: no recipe makes {', '.join(left)} (delete them if they are left over)", err=True)
    if size > gal.SIZE_BUDGET:
        click.echo(
            f"warning: {gallery.root} is {gal.format_size(size)}, over the "
            f"{gal.format_size(gal.SIZE_BUDGET)} budget for a folder committed with the code",
            err=True,
        )


COMMANDS = (gallery_group,)
