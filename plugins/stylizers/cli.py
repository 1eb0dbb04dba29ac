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
from ganvas.io import FILES_KEY, IMAGE_SUFFIXES, file_record
from ganvas.plugin import PluginHost
from ganvas.recipe import ComponentRef

__all__ = ["stylize", "plan_outputs", "read_image", "write_image"]

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def plan_outputs(inputs: Sequence[Path], output: Path) -> list[tuple[Path, Path]]:
    """``(input file, output file)`` pairs: one input file to ``output`` if it ends in ``.png``,
    otherwise everything into the folder ``output``, named as the inputs (folders keep their tree).
    Raises UserInputError for an empty plan, clashing names or an output that is an input."""
    single_file = len(inputs) == 1 and inputs[0].is_file() and output.suffix.lower() == ".png"
    if output.suffix.lower() in IMAGE_SUFFIXES and output.suffix.lower() != ".png":
        raise UserInputError(
            f"-o '{output}': outputs are PNG files (they carry the chain in their metadata); "
            "give a .png name or a folder"
        )
    if output.suffix.lower() == ".png" and not single_file:
        raise UserInputError(f"-o '{output}' names one file, but the inputs are several images; give a folder")
    pairs: list[tuple[Path, Path]] = []
    for item in inputs:
        if item.is_dir():
            found = _images_in(item)
            if not found:
                raise UserInputError(f"folder '{item}' holds no images ({', '.join(IMAGE_SUFFIXES)})")
            pairs += [(f, output / f.relative_to(item).with_suffix(".png")) for f in found]
        elif single_file:
            pairs.append((item, output))
        else:
            pairs.append((item, output / item.with_suffix(".png").name))
    seen: dict[Path, Path] = {}
    resolved_inputs = {src.resolve() for src, _ in pairs}
    for src, dst in pairs:
        key = dst.resolve()
        if key in seen:
            raise UserInputError(f"'{src}' and '{seen[key]}' would both be written to '{dst}'; stylize them separately")
        if key in resolved_inputs:
            raise UserInputError(f"'{dst}' is an input: ganvas stylize never overwrites its inputs; choose another -o")
        seen[key] = src
    return pairs


def read_image(path: Path) -> tuple[Any, dict[str, str]]:
    """A file as uint8 ``(C, H, W)`` (C: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) and its text metadata."""
    from PIL import Image, ImageOps

    from ganvas.io import UNREADABLE_IMAGE_ERRORS, pil_to_tensor

    try:
        with Image.open(path) as img:
            img.load()
            text = {k: str(v) for k, v in getattr(img, "text", {}).items()}
            img = ImageOps.exif_transpose(img)
    except UNREADABLE_IMAGE_ERRORS as exc:
        raise UserInputError(f"cannot read image '{path}': {exc}") from None
    has_alpha = img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in img.info
    gray = img.mode in ("1", "L", "LA", "La", "I", "I;16", "F") or (img.mode == "P" and _palette_is_gray(img))
    mode = ("LA" if has_alpha else "L") if gray else ("RGBA" if has_alpha else "RGB")
    if img.mode in ("I", "I;16", "F"):  # 16-bit or float grayscale: scale to 8 bits
        import numpy as np

        array = np.asarray(img, dtype=np.float64)
        peak = 65535.0 if array.max() > 255 else 255.0
        img = Image.fromarray((array / peak * 255).clip(0, 255).astype(np.uint8), "L")
    return pil_to_tensor(img.convert(mode)), text


def _palette_is_gray(img: Any) -> bool:
    palette = img.getpalette() or []
    return all(palette[i] == palette[i + 1] == palette[i + 2] for i in range(0, len(palette) - 2, 3))


def write_image(image: Any, path: Path, metadata: dict[str, str]) -> Path:
    """Save uint8 ``(C, H, W)`` (C of 1-4) as PNG with text ``metadata``, atomically."""
    from ganvas.io import save_png

    if image.shape[0] == 2:  # Pillow reads (H, W, 2) arrays as LA only by name
        from PIL import Image, PngImagePlugin

        from ganvas.io import atomic_write

        info = PngImagePlugin.PngInfo()
        for key, value in metadata.items():
            info.add_itxt(key, value)
        pil = Image.fromarray(image.permute(1, 2, 0).numpy(), "LA")
        return atomic_write(path, lambda tmp: pil.save(tmp, format="PNG", pnginfo=info))
    return save_png(image, path, metadata)


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
    pairs = plan_outputs(list(inputs), output)
    existing = [dst for _, dst in pairs if dst.exists()]
    if skip_existing:
        pairs = [(src, dst) for src, dst in pairs if not dst.exists()]
    elif existing and not force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise UserInputError(f"'{existing[0]}' already exists{more}; pass --force to replace or --skip-existing")

    unreadable = _stylize_all(host, pairs, steps, device, quiet)
    if unreadable:
        shown = ", ".join(unreadable[:3]) + (" ..." if len(unreadable) > 3 else "")
        click.echo(f"warning: skipped {len(unreadable)} unreadable image file(s): {shown}", err=True)
        if len(unreadable) == len(pairs):
            raise UserInputError(f"none of the {len(pairs)} input images could be read")


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
