"""Many image files in, many out: the plan of (input, output) pairs behind ``ganvas stylize`` and
``ganvas restore``, reading any image file with its metadata, and writing PNGs that carry theirs.

Inputs are never overwritten: a plan whose output is one of its inputs is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ganvas.errors import UserInputError
from ganvas.io.formats import IMAGE_SUFFIXES

__all__ = ["plan_outputs", "read_image", "write_image", "images_in", "check_existing", "unreadable_summary"]


def images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def plan_outputs(inputs: Sequence[Path], output: Path) -> list[tuple[Path, Path]]:
    """``(input file, output file)`` pairs: one input file to ``output`` if it ends in ``.png``,
    otherwise everything into the folder ``output``, named as the inputs (folders keep their tree).
    Raises UserInputError for an empty plan, clashing names or an output that is an input."""
    single_file = len(inputs) == 1 and inputs[0].is_file() and output.suffix.lower() == ".png"
    if output.suffix.lower() in IMAGE_SUFFIXES and output.suffix.lower() != ".png":
        raise UserInputError(
            f"-o '{output}': outputs are PNG files (they carry how they were made in their metadata); "
            "give a .png name or a folder"
        )
    if output.suffix.lower() == ".png" and not single_file:
        raise UserInputError(f"-o '{output}' names one file, but the inputs are several images; give a folder")
    pairs: list[tuple[Path, Path]] = []
    for item in inputs:
        if item.is_dir():
            found = images_in(item)
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
            raise UserInputError(f"'{src}' and '{seen[key]}' would both be written to '{dst}'; run them separately")
        if key in resolved_inputs:
            raise UserInputError(f"'{dst}' is an input: ganvas never overwrites its inputs; choose another -o")
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


def check_existing(pairs: list[tuple[Path, Path]], force: bool, skip_existing: bool) -> list[tuple[Path, Path]]:
    """The pairs to work on: outputs that exist are an error unless ``force`` (replace them) or
    ``skip_existing`` (leave them and their inputs out)."""
    if force and skip_existing:
        raise UserInputError("give --force (replace existing outputs) or --skip-existing (keep them), not both")
    existing = [dst for _, dst in pairs if dst.exists()]
    if skip_existing:
        return [(src, dst) for src, dst in pairs if not dst.exists()]
    if existing and not force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise UserInputError(f"'{existing[0]}' already exists{more}; pass --force to replace or --skip-existing")
    return pairs


def unreadable_summary(unreadable: list[str], total: int) -> str:
    """The warning for inputs skipped as unreadable ('' for none); a UserInputError when none of
    the ``total`` inputs could be read."""
    if not unreadable:
        return ""
    if len(unreadable) == total:
        raise UserInputError(f"none of the {total} input images could be read")
    shown = ", ".join(unreadable[:3]) + (" ..." if len(unreadable) > 3 else "")
    return f"warning: skipped {len(unreadable)} unreadable image file(s): {shown}"
