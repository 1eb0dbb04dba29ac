"""``ganvas restore``: repair or restyle picture files with a trained image-to-image run.

Every output is a PNG named after its input (a folder's tree is kept) that records which run,
checkpoint (with its content hash) and mask made it, in a ``ganvas:restore`` text chunk. Inputs
are never overwritten; an existing output is replaced only with ``--force``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ganvas.cli import options
from ganvas.errors import UserInputError
from ganvas.io.runs import find_run, runs_root
from ganvas.plugin.manager import PluginHost

__all__ = ["restore", "COMMANDS"]


def _mask_for(mask: Path | None, source: Path, root: Path | None) -> Path | None:
    """The mask of ``source``: ``--mask FILE`` for every picture, or from a ``--mask`` folder the
    file with the same name (and relative folder, for a folder of inputs), any image suffix."""
    if mask is None or mask.is_file():
        return mask
    from ganvas.io.formats import IMAGE_SUFFIXES

    relative = source.relative_to(root) if root is not None else Path(source.name)
    for suffix in IMAGE_SUFFIXES:
        candidate = (mask / relative).with_suffix(suffix)
        if candidate.is_file():
            return candidate
    raise UserInputError(f"no mask for '{source}' in '{mask}' (looked for {relative.with_suffix('.*')})")


def _record(loaded: Any, drawer: Any, digest: str, reverse: bool, mask: Path | None, mask_digest: str) -> str:
    """The ``ganvas:restore`` chunk: TOML naming the run, checkpoint, its hash and the mask."""
    import tomli_w

    table: dict[str, Any] = {
        "run": str(loaded.run_dir.resolve()),
        "method": loaded.recipe.method.name,
        "checkpoint": str(loaded.checkpoint.resolve()),
        "sha256": digest,
        "step": loaded.step,
    }
    if "corrupt" in loaded.recipe.uses:
        table["corrupt"] = loaded.recipe.corrupt.name
    if reverse:
        table["reverse"] = True
    if drawer.ensemble > 1:
        table["ensemble"] = drawer.ensemble
    if mask is not None:
        table.update({"mask": str(mask.resolve()), "mask_sha256": mask_digest})
    return tomli_w.dumps(table)


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("run_ref", metavar="RUN")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path), metavar="INPUT...")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="A .png file (one input file) or a folder [default: the folder 'restored' inside RUN].",
)
@click.option(
    "--mask",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Inpainting runs: what is missing, white on black: one file for every input, or a folder of "
    "masks named as the inputs.",
)
@click.option("--reverse", is_flag=True, help="Cycle runs: translate the other way (target style back to the source).")
@click.option("--step", type=click.IntRange(min=1), default=None, help="Use the run's checkpoint of this step.")
@click.option(
    "--checkpoint",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Use this checkpoint file [default: the newest].",
)
@click.option(
    "--tile",
    type=click.IntRange(64, 8192),
    default=None,
    metavar="PX",
    help="Largest piece run at once; larger pictures go in overlapping tiles, blended without seams "
    "[default: 512; lower it if memory runs out].",
)
@options.ensemble
@click.option("--force", is_flag=True, help="Replace existing output files (inputs are never replaced).")
@click.option("--skip-existing", is_flag=True, help="Leave outputs that exist alone (continue an interrupted run).")
@options.device
@options.runs_dir
@options.quiet
@click.pass_obj
def restore(
    host: PluginHost,
    run_ref: str,
    inputs: tuple[Path, ...],
    output: Path | None,
    mask: Path | None,
    reverse: bool,
    step: int | None,
    checkpoint: str | None,
    tile: int | None,
    ensemble: int,
    force: bool,
    skip_existing: bool,
    device: str | None,
    runs_dir: str | None,
    quiet: bool,
) -> None:
    """Repair or restyle INPUT pictures (files or folders) with RUN, a pix2pix or cycle run.

    Pictures of any size work: the network is fully convolutional, and pictures larger than
    --tile go through in overlapping tiles. A super-resolution run gives pictures its factor
    larger; an inpainting run needs --mask.

    \b
    Examples:
      ganvas restore denoise noisy.jpg -o clean.png
      ganvas restore superres photos/ -o sharper/
      ganvas restore inpaint damaged.png --mask holes.png -o filled.png
      ganvas restore restyle photo.jpg --reverse -o back.png
    """
    from ganvas.cli.sample import load_for_drawing
    from ganvas.drawing.restore import check_translates
    from ganvas.io.batch import check_existing, plan_outputs, unreadable_summary

    run_dir = find_run(run_ref, runs_root(runs_dir))
    loaded = load_for_drawing(host, run_dir, device, checkpoint, step, None)
    check_translates(loaded.drawer, f"run '{run_dir.name}' (method '{loaded.recipe.method.name}')")
    drawer = loaded.drawer
    if reverse:
        if not hasattr(drawer, "reversed"):
            raise UserInputError(f"--reverse is for cycle runs; run '{run_dir.name}' translates one way only")
        drawer = drawer.reversed()
    if tile is not None:
        drawer.tile = tile
    drawer.ensemble = ensemble
    target = output if output is not None else run_dir / "restored"
    pairs = check_existing(plan_outputs(list(inputs), target), force, skip_existing)
    roots = {src: item for item in inputs if item.is_dir() for src, _ in pairs if item in src.parents}
    masks = {src: _mask_for(mask, src, roots.get(src)) for src, _ in pairs}  # every one found before any work
    for _, dst in pairs:
        if any(m is not None and m.resolve() == dst.resolve() for m in masks.values()):
            raise UserInputError(f"'{dst}' is a mask: ganvas never overwrites its inputs; choose another -o")
    failed = _restore_all(loaded, drawer, pairs, masks, reverse, quiet)
    if warning := unreadable_summary(failed, len(pairs)):
        click.echo(warning, err=True)


def _restore_all(
    loaded: Any,
    drawer: Any,
    pairs: list[tuple[Path, Path]],
    masks: dict[Path, Path | None],
    reverse: bool,
    quiet: bool,
) -> list[str]:
    """Restore every (input, output) pair; returns the names of unreadable inputs."""
    from tqdm import tqdm

    from ganvas import __version__
    from ganvas.drawing.restore import restore_image
    from ganvas.io.batch import read_image, write_image
    from ganvas.io.provenance import file_sha256

    digest = file_sha256(loaded.checkpoint)
    notes: set[str] = set()
    failed: list[str] = []
    bar = tqdm(pairs, desc="restore", unit="image", disable=True if quiet or len(pairs) < 2 else None, leave=False)
    for src, dst in bar:
        try:
            image, _ = read_image(src)
        except UserInputError:
            if len(pairs) == 1:
                raise
            failed.append(src.name)  # one bad file in a folder does not stop the others
            continue
        mask_file = masks[src]
        mask_pixels = read_image(mask_file)[0] if mask_file is not None else None
        pixels, note = restore_image(drawer, image, mask_pixels)
        if note and note not in notes:
            notes.add(note)
            click.echo(f"note: {note}", err=True)
        mask_digest = file_sha256(mask_file) if mask_file is not None else ""
        metadata = {
            "Software": f"ganvas {__version__}",
            "ganvas:restore": _record(loaded, drawer, digest, reverse, mask_file, mask_digest),
            "ganvas:source": src.name,
        }
        write_image(pixels, dst, metadata)
        if not quiet:
            click.echo(f"image: {dst}")
    return failed


COMMANDS = (restore,)
