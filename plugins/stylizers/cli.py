"""``ganvas stylize``: run a stylizer chain over image files or whole folders.

Outputs are PNGs named after their inputs (folder structure kept) that carry the chain in a
``ganvas:stylize`` text chunk, plus any ganvas metadata (recipe, seeds) the input had. Inputs
are never overwritten; an existing output is replaced only with ``--force``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from ganvas import __version__
from ganvas.drawing import build_chain, chain_files, chain_toml, parse_chain, run_chain
from ganvas.errors import UserInputError
from ganvas.io import FILES_KEY, check_existing, file_record, plan_outputs, read_image, unreadable_summary, write_image
from ganvas.plugin import PluginHost
from ganvas.recipe import ComponentRef

__all__ = ["stylize"]

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _metadata(source: Path, previous: dict[str, str], steps: Sequence[ComponentRef], files: str) -> dict[str, str]:
    kept = {k: v for k, v in previous.items() if k.startswith("ganvas:") and k != "ganvas:stylize"}
    chain = previous.get("ganvas:stylize", "") + chain_toml(steps)
    if files:  # the files the chain read, after those the image was made with
        kept[FILES_KEY] = "\n".join(filter(None, (kept.get(FILES_KEY, ""), files)))
    return {"Software": f"ganvas {__version__}", **kept, "ganvas:stylize": chain, "ganvas:source": source.name}


def _progress(pairs: list[tuple[Path, Path]], quiet: bool) -> Iterator[tuple[Path, Path]]:
    from tqdm import tqdm

    yield from tqdm(pairs, desc="stylize", unit="image", disable=True if quiet or len(pairs) < 2 else None, leave=False)


@click.command("stylize", context_settings=_CONTEXT)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path), metavar="INPUT...")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="A .png file (one input file) or a folder (created if needed).",
)
@click.option(
    "-s",
    "--stylize",
    "specs",
    multiple=True,
    metavar="NAME[:KEY=VALUE,...]",
    help="A stylizer and its parameters; repeat to chain them, applied in order.",
)
@click.option("--force", is_flag=True, help="Replace existing output files (inputs are never replaced).")
@click.option("--skip-existing", is_flag=True, help="Leave outputs that exist alone (continue an interrupted run).")
@click.option(
    "--device",
    type=click.Choice(["auto", "cpu", "cuda", "mps"]),
    default="cpu",
    show_default=True,
    help="Where to run the chain.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or file list.")
@click.pass_obj
def stylize(
    host: PluginHost,
    inputs: tuple[Path, ...],
    output: Path,
    specs: tuple[str, ...],
    force: bool,
    skip_existing: bool,
    device: str,
    quiet: bool,
) -> None:
    """Apply a chain of stylizers to image files or whole folders.

    \b
    Examples:
      ganvas stylize photo.jpg -o photo-oil.png -s oil:radius=4
      ganvas stylize samples/ -o styled/ -s upscale:factor=4 -s oil -s palette:colors=6,reference=sunset.png
      ganvas list stylizers          every stylizer, its parameters and their defaults

    Gray, RGB and RGBA images of any size work; alpha is kept. Outputs are PNGs that carry the
    chain (as recipe [[stylize]] tables) in their metadata.
    """
    if not specs:
        raise click.UsageError("give at least one stylizer: -s NAME[:key=value,...] (see: ganvas list stylizers)")
    steps = parse_chain(specs, host)
    if force and skip_existing:
        raise click.UsageError("give --force (replace existing outputs) or --skip-existing (keep them), not both")
    pairs = check_existing(plan_outputs(list(inputs), output), force, skip_existing)

    unreadable = _stylize_all(host, pairs, steps, device, quiet)
    if warning := unreadable_summary(unreadable, len(pairs)):
        click.echo(warning, err=True)


def _stylize_all(
    host: PluginHost, pairs: list[tuple[Path, Path]], steps: list[Any], device: str, quiet: bool
) -> list[str]:
    """Run the chain over every (input, output) pair; returns the names of unreadable inputs."""
    import torch

    from ganvas.device import configure_threads, resolve_device

    target = resolve_device(device)
    configure_threads()
    chain = build_chain(steps, host)
    files = file_record(chain_files([s for s in steps if isinstance(s, ComponentRef)], host, "stylized"))
    for module in chain:
        if hasattr(module, "progress"):
            module.progress = False if quiet else None
        if hasattr(module, "to"):
            module.to(target)
    unreadable: list[str] = []
    with torch.no_grad():
        for src, dst in _progress(pairs, quiet):
            try:
                image, text = read_image(src)
            except UserInputError:
                if len(pairs) == 1:
                    raise
                unreadable.append(src.name)  # one bad file in a folder does not stop the others
                continue
            styled = run_chain(image.unsqueeze(0).to(target, torch.float32).div(255), chain)[0]
            pixels = styled.mul(255).round().clamp(0, 255).to("cpu", torch.uint8)
            write_image(pixels, dst, _metadata(src, text, steps, files))
            if not quiet:
                click.echo(str(dst))
    return unreadable
