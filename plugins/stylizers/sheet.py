"""The before/after sheet of every stylizer: ``python -m ganvas.plugins.stylizers.sheet OUT.png``.

Each cell shows one stylizer (with its defaults unless noted) on a photo and on a GAN sample.
The GAN sample is a 32-px tile cut from a grid ganvas made (``gallery/default.png`` by
default), enlarged with ``upscale:factor=4`` first, as an artist would before painting it.
Without ``--photo`` the photo is a landscape ganvas draws itself; the gallery's sheet uses
scikit-image's ``chelsea`` (CC0, Stefan van der Walt)::

    python -m ganvas.plugins.stylizers.sheet gallery/stylizers.png \\
        --photo "$(python -c 'import skimage, os; print(os.path.dirname(skimage.__file__))')/data/chelsea.png"
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

__all__ = ["make_sheet", "grid_tile", "CELLS"]

#: (label, chain) per cell; "{palette}" and "{texture}" are replaced by reference file paths.
CELLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("oil", ("oil",)),
    ("watercolor", ("watercolor",)),
    ("ink", ("ink",)),
    ("ink, colour wash", ("ink:color=0.8,hatching=1",)),
    ("posterize", ("posterize:colors=6",)),
    ("palette (sunset picture)", ("palette:reference={palette},colors=6,dither=0.4",)),
    ("pixel", ("pixel:block=6,colors=12",)),
    ("halftone", ("halftone",)),
    ("color-transfer (sunset)", ("color-transfer:reference={palette}",)),
    ("upscale 4x (of a 1/4-size photo; of the raw sample)", ("upscale:factor=4",)),
    ("vignette", ("vignette",)),
    ("grain", ("grain:amount=0.12",)),
    ("sharpen", ("sharpen:amount=1.5",)),
    ("texture (painted circles)", ("texture:reference={texture}",)),
    ("chain: oil > palette > vignette", ("oil", "palette:reference={palette},colors=8", "vignette")),
)

_GAP, _LABEL = 6, 18


def grid_tile(path: Path, index: int, tile: int = 32, gutter: int = 2, scale: int = 4) -> torch.Tensor:
    """Tile ``index`` (row-major) of a ganvas sample grid of ``tile``-px pictures with ``gutter``-px
    gutters, saved enlarged ``scale`` times; returned at its own size as ``(1, 3, tile, tile)``."""
    img = open_image(path, channels=3)
    columns = max(1, (img.width // scale - gutter) // (tile + gutter))
    r, c = divmod(index, columns)
    x0, y0 = (gutter + c * (tile + gutter)) * scale, (gutter + r * (tile + gutter)) * scale
    crop = img.crop((x0, y0, x0 + tile * scale, y0 + tile * scale)).reduce(scale)
    return pil_to_tensor(crop).unsqueeze(0).float() / 255


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


def _to_pil(image: torch.Tensor, height: int) -> Image.Image:
    image = resize(image.clamp(0, 1), (height, max(1, round(image.shape[-1] * height / image.shape[-2]))), "bicubic")
    array = image[0].clamp(0, 1).mul(255).round().byte().permute(1, 2, 0).numpy()
    return Image.fromarray(array if array.shape[2] == 3 else array[:, :, 0]).convert("RGB")


def make_sheet(
    photo: torch.Tensor, sample: torch.Tensor, host: PluginHost, height: int = 176, columns: int = 2
) -> Image.Image:
    """The sheet: an "original" cell, then one cell per entry of ``CELLS`` (photo and sample side by side).

    Stylizers run at the size shown: the photo is resized to ``height``; the sample is enlarged
    4x with ``upscale`` and then to ``height``. The upscale cell starts from a quarter-size photo
    and the raw sample instead.
    """
    photo = resize(photo, (height, max(1, round(photo.shape[-1] * height / photo.shape[-2]))), "area")
    with tempfile.TemporaryDirectory() as tmp, torch.no_grad():
        refs = _references(Path(tmp))
        base = resize(
            run_chain(sample, build_chain(parse_chain(["upscale:factor=4"], host), host)), (height, height), "bicubic"
        ).clamp(0, 1)
        cells = [("original (photo; GAN sample enlarged 4x)", _to_pil(photo, height), _to_pil(base, height))]
        for label, specs in CELLS:
            chain = build_chain(parse_chain([s.format(**refs) for s in specs], host), host)
            for module in chain:
                if hasattr(module, "progress"):
                    module.progress = False
            sources = (photo, base)
            if specs[0].startswith("upscale"):
                sources = (resize(photo, (height // 4, photo.shape[-1] // 4), "area"), sample)
            before, after = (_to_pil(run_chain(x, chain), height) for x in sources)
            cells.append((label, before, after))
    cell_w = max(a.width + _GAP + b.width for _, a, b in cells)
    rows = -(-len(cells) // columns)
    sheet = Image.new("RGB", (columns * (cell_w + _GAP) + _GAP, rows * (height + _LABEL + _GAP) + _GAP), (24, 24, 24))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=13)
    for i, (label, a, b) in enumerate(cells):
        r, c = divmod(i, columns)
        x, y = _GAP + c * (cell_w + _GAP), _GAP + r * (height + _LABEL + _GAP)
        draw.text((x + 2, y + 1), label, fill=(235, 235, 235), font=font)
        sheet.paste(a, (x, y + _LABEL))
        sheet.paste(b, (x + a.width + _GAP, y + _LABEL))
    return sheet


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Make the before/after sheet of every stylizer.")
    parser.add_argument("output", type=Path)
    parser.add_argument("--photo", type=Path, default=None, help="a photo (default: a landscape ganvas draws)")
    parser.add_argument("--grid", type=Path, default=Path("gallery/default.png"), help="a ganvas sample grid")
    parser.add_argument("--tile", type=int, default=1, help="which tile of the grid (row-major)")
    parser.add_argument("--scale", type=int, default=4, help="how much the grid was enlarged")
    parser.add_argument("--height", type=int, default=176, help="picture height in the sheet")
    args = parser.parse_args(argv)
    if args.photo is not None:
        photo = pil_to_tensor(open_image(args.photo, channels=3)).unsqueeze(0).float() / 255
    else:
        photo = landscape(256, 384)
    sheet = make_sheet(
        photo, grid_tile(args.grid, args.tile, scale=args.scale), PluginHost(entry_points=False), args.height
    )
    # a 256-colour palette (dithered) keeps the sheet small; the differences are hard to see
    sheet.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG).save(
        args.output, optimize=True
    )
    print(f"{args.output}: {sheet.width}x{sheet.height}, {args.output.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
