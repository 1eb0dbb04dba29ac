"""The sheet of every stylizer on photos: ``python -m ganvas.plugins.stylizers.sheet OUT.jpg``.

Each cell shows one stylizer (with its defaults unless noted) on two photos at their own size,
as an artist would use it: scikit-image's ``astronaut`` (512 x 512, NASA, public domain) and
``chelsea`` (451 x 300, CC0, Stefan van der Walt), bundled with scikit-image (the ``photos``
extra); without it, two landscapes ganvas draws. The first cell holds the originals::

    python -m ganvas.plugins.stylizers.sheet gallery/stylizers.jpg
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import torch
from PIL import Image, ImageDraw, ImageFont

from ganvas.drawing import build_chain, parse_chain, run_chain
from ganvas.io import open_image, pil_to_tensor, save_png
from ganvas.plugin import PluginHost
from ganvas.plugins.datasets.procedural import draw_many

from .ops import resize
from .pictures import landscape

__all__ = ["make_sheet", "stylized_cells", "default_photos", "CELLS"]

#: (label, chain) per cell; "{palette}" and "{texture}" are replaced by reference file paths.
CELLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("oil", ("oil",)),
    ("watercolor", ("watercolor",)),
    ("ink", ("ink",)),
    ("ink, colour wash", ("ink:color=0.8",)),
    ("posterize", ("posterize:colors=6",)),
    ("palette (sunset picture), dithered", ("palette:reference={palette},colors=6,dither=0.4",)),
    ("pixel", ("pixel",)),
    ("halftone", ("halftone",)),
    ("color-transfer (sunset picture)", ("color-transfer:reference={palette}",)),
    ("upscale 4x of a 1/4-size copy (a resampler: compare the original)", ("upscale:factor=4",)),
    ("edge-preserving", ("edge-preserving",)),
    ("sharpen", ("sharpen:amount=1.5",)),
    ("grain", ("grain:amount=0.12",)),
    ("vignette", ("vignette",)),
    ("texture (painted circles)", ("texture:reference={texture}",)),
    ("chain: oil > palette > vignette", ("oil", "palette:reference={palette},colors=8", "vignette")),
)

_GAP, _LABEL = 6, 18


def default_photos() -> dict[str, torch.Tensor]:
    """scikit-image's astronaut and chelsea as ``(1, 3, H, W)`` in [0, 1], else two drawn landscapes."""
    try:
        from skimage import data
    except ImportError:
        return {"landscape": landscape(384, 512), "landscape, other hues": landscape(384, 512, seed=1, hue=0.5)}
    return {
        name: torch.from_numpy(getattr(data, name)()[..., :3].copy()).permute(2, 0, 1)[None].float() / 255
        for name in ("astronaut", "chelsea")
    }


def _references(folder: Path) -> dict[str, str]:
    """A retro-sunset picture (palette, colour mood) and a painterly one (texture), drawn by ganvas."""
    sunset = torch.from_numpy(draw_many("stripes", 1, 256, seed=3)).permute(0, 3, 1, 2)[0]
    circles = torch.from_numpy(draw_many("circles", 1, 256, seed=5)).permute(0, 3, 1, 2).float() / 255
    host = PluginHost(entry_points=False)
    painted = run_chain(circles, build_chain(parse_chain(["oil:radius=6,relief=2.5"], host), host))
    paths = {"palette": folder / "sunset.png", "texture": folder / "strokes.png"}
    save_png(sunset, paths["palette"])
    save_png(painted.mul(255).round().byte()[0], paths["texture"])
    return {k: str(v) for k, v in paths.items()}


def _to_pil(image: torch.Tensor) -> Image.Image:
    array = image[0].clamp(0, 1).mul(255).round().byte().permute(1, 2, 0).numpy()
    return Image.fromarray(array if array.shape[2] == 3 else array[:, :, 0]).convert("RGB")


def _quiet_chain(specs: tuple[str, ...], refs: dict[str, str], host: PluginHost) -> torch.nn.ModuleList:
    chain = build_chain(parse_chain([s.format(**refs) for s in specs], host), host)
    for module in chain:
        if hasattr(module, "progress"):
            module.progress = False
    return chain


def stylized_cells(photos: dict[str, torch.Tensor], host: PluginHost) -> list[tuple[str, list[Image.Image]]]:
    """``(label, pictures)`` for the originals and for every entry of ``CELLS``, at the photos' size.

    The upscale cell enlarges a quarter-size copy of each photo (so it compares with the original).
    """
    cells = [("originals", [_to_pil(p) for p in photos.values()])]
    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        refs = _references(Path(tmp))
        for label, specs in CELLS:
            chain = _quiet_chain(specs, refs, host)
            pictures = []
            for photo in photos.values():
                if specs[0].startswith("upscale"):
                    photo = resize(photo, (photo.shape[-2] // 4, photo.shape[-1] // 4), "area")
                pictures.append(_to_pil(run_chain(photo, chain)))
            cells.append((label, pictures))
    return cells


def make_sheet(photos: dict[str, torch.Tensor], host: PluginHost, columns: int = 2) -> Image.Image:
    """The sheet: a cell of the originals, then one cell per entry of ``CELLS``, ``columns`` cells a row;
    each cell holds the photos side by side at their own size (shorter ones centred)."""
    cells = stylized_cells(photos, host)
    cell_w = max(sum(p.width for p in pics) + _GAP * (len(pics) - 1) for _, pics in cells)
    cell_h = max(p.height for _, pics in cells for p in pics)
    rows = -(-len(cells) // columns)
    sheet = Image.new("RGB", (columns * (cell_w + _GAP) + _GAP, rows * (cell_h + _LABEL + _GAP) + _GAP), (24, 24, 24))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=14)
    for i, (label, pictures) in enumerate(cells):
        r, c = divmod(i, columns)
        x, y = _GAP + c * (cell_w + _GAP), _GAP + r * (cell_h + _LABEL + _GAP)
        draw.text((x + 2, y + 1), label, fill=(235, 235, 235), font=font)
        for picture in pictures:
            sheet.paste(picture, (x, y + _LABEL + (cell_h - picture.height) // 2))
            x += picture.width + _GAP
    return sheet


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Make the sheet of every stylizer on two photos at their size.")
    parser.add_argument("output", type=Path, help="the sheet: .jpg (quality 88) or .png")
    parser.add_argument(
        "--photo", type=Path, action="append", default=None, help="a photo (repeatable; default: astronaut, chelsea)"
    )
    parser.add_argument("--columns", type=int, default=2, help="cells per row")
    args = parser.parse_args(argv)
    if args.photo:
        photos = {p.stem: pil_to_tensor(open_image(p, channels=3)).unsqueeze(0).float() / 255 for p in args.photo}
    else:
        photos = default_photos()
    sheet = make_sheet(photos, PluginHost(entry_points=False), args.columns)
    if args.output.suffix.lower() in (".jpg", ".jpeg"):
        sheet.save(args.output, quality=88, optimize=True, progressive=True)
    else:  # a 256-colour palette (dithered) keeps a PNG small; the differences are hard to see
        sheet.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG).save(
            args.output, optimize=True
        )
    print(f"{args.output}: {sheet.width}x{sheet.height}, {args.output.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
