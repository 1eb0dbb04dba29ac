"""Image files in and out: loading, cropping, grids, point plots, and PNGs that carry metadata.

Tensors follow torch's layout: ``(B, C, H, W)``; model space is float in [-1, 1], files are
uint8. Pillow does the file work (not ``kornia.io``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch
from PIL import Image, PngImagePlugin, UnidentifiedImageError

from ganvas.io.files import atomic_write
from ganvas.io.formats import IMAGE_SUFFIXES, RESAMPLE

#: Pillow's filter for each ``resample`` name.
RESAMPLE_FILTERS = dict(zip(RESAMPLE, (Image.Resampling.NEAREST, Image.Resampling.BICUBIC, Image.Resampling.LANCZOS)))

#: What reading a damaged, hostile or non-image file can raise. Pillow's decompression-bomb error
#: (a header claiming far more pixels than Image.MAX_IMAGE_PIXELS) is not an OSError.
UNREADABLE_IMAGE_ERRORS: tuple[type[BaseException], ...] = (
    UnidentifiedImageError,
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    Image.DecompressionBombError,
)

__all__ = [
    "UNREADABLE_IMAGE_ERRORS",
    "IMAGE_SUFFIXES",
    "open_image",
    "square_resize",
    "pil_to_tensor",
    "to_uint8",
    "make_grid",
    "render_points",
    "save_png",
    "read_png_text",
]


def open_image(path: Path, channels: int) -> Image.Image:
    """Read ``path`` fully as RGB (``channels=3``) or L (``channels=1``); transparency goes on white."""
    with Image.open(path) as img:
        img.load()
        if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
            rgba = img.convert("RGBA")
            background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            img = Image.alpha_composite(background, rgba)
        return img.convert("RGB" if channels == 3 else "L")


def square_resize(img: Image.Image, size: int) -> Image.Image:
    """Centre-crop ``img`` to a square, then resize it to ``size`` x ``size`` (Lanczos)."""
    w, h = img.size
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    img = img.crop((left, top, left + side, top + side))
    if side != size:
        img = img.resize((size, size), Image.Resampling.LANCZOS)
    return img


def pil_to_tensor(img: Image.Image) -> torch.Tensor:
    """A Pillow image -> uint8 ``(C, H, W)``."""
    array = np.asarray(img, dtype=np.uint8)
    if array.ndim == 2:
        array = array[:, :, None]
    return torch.from_numpy(array.copy()).permute(2, 0, 1)


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """Model-space images ``(B, C, H, W)`` in [-1, 1] -> uint8 on the CPU."""
    return images.detach().float().add(1).mul(127.5).round().clamp(0, 255).to("cpu", torch.uint8)


def grid_shape(count: int, columns: int = 0) -> tuple[int, int]:
    """``(rows, columns)`` for ``count`` tiles; ``columns=0`` picks a near-square grid."""
    cols = columns if columns > 0 else math.ceil(math.sqrt(count))
    return math.ceil(count / cols), cols


def make_grid(images: torch.Tensor, columns: int = 0, padding: int = 2, fill: int = 16) -> torch.Tensor:
    """uint8 ``(B, C, H, W)`` -> one uint8 ``(C, H', W')`` grid with ``padding`` px gutters (a
    single image is returned as it is: a canvas of a chosen size keeps that size)."""
    b, c, h, w = images.shape
    if b == 1:
        return images[0].clone()
    rows, cols = grid_shape(b, columns)
    out = torch.full((c, rows * (h + padding) + padding, cols * (w + padding) + padding), fill, dtype=torch.uint8)
    for i in range(b):
        r, k = divmod(i, cols)
        y, x = padding + r * (h + padding), padding + k * (w + padding)
        out[:, y : y + h, x : x + w] = images[i]
    return out


def render_points(
    points: torch.Tensor,
    reference: torch.Tensor | None = None,
    size: int = 512,
    extent: float | None = None,
) -> torch.Tensor:
    """A scatter plot of 2-D ``points`` (N, 2) as uint8 ``(3, size, size)``.

    ``reference`` points (the real data) are drawn underneath in grey. The view is centred on the
    origin and spans ``extent`` (default: fits the reference, or the points, with a margin).
    """
    pts = points.detach().float().cpu()
    ref = reference.detach().float().cpu() if reference is not None else None
    if extent is None:
        basis = ref if ref is not None else pts
        finite = basis[torch.isfinite(basis).all(1)]
        extent = float(finite.abs().max()) * 1.25 if len(finite) else 1.0
        extent = max(extent, 1e-3)
    canvas = torch.full((3, size, size), 250, dtype=torch.uint8)

    def plot(p: torch.Tensor, colour: tuple[int, int, int], radius: int) -> None:
        xy = ((p / extent + 1) * 0.5 * (size - 1)).round().long()
        xy[:, 1] = size - 1 - xy[:, 1]
        keep = (xy >= 0).all(1) & (xy < size).all(1)
        xy = xy[keep]
        for dx in range(-radius, radius + 1):
            for dy in range(-radius, radius + 1):
                x = (xy[:, 0] + dx).clamp(0, size - 1)
                y = (xy[:, 1] + dy).clamp(0, size - 1)
                for ch, value in enumerate(colour):
                    canvas[ch, y, x] = value

    if ref is not None:
        plot(ref, (200, 200, 200), 2)
    plot(pts, (196, 58, 49), 1)
    return canvas


def save_png(
    image: torch.Tensor,
    path: Path,
    metadata: Mapping[str, str] | None = None,
    scale: int = 1,
    resample: str = "nearest",
) -> Path:
    """Write uint8 ``(C, H, W)`` to ``path`` as PNG with text ``metadata``, atomically.

    ``scale`` enlarges the picture; ``resample`` is ``nearest`` (crisp pixels), ``bicubic`` or
    ``lanczos`` (smooth).
    """
    array = image.detach().cpu().permute(1, 2, 0).numpy()
    pil = Image.fromarray(array[:, :, 0] if array.shape[2] == 1 else array)
    if scale > 1:
        pil = pil.resize((pil.width * scale, pil.height * scale), RESAMPLE_FILTERS[resample])
    info = PngImagePlugin.PngInfo()
    for key, value in (metadata or {}).items():
        info.add_itxt(key, value)
    return atomic_write(path, lambda tmp: pil.save(tmp, format="PNG", pnginfo=info))


def read_png_text(path: Path) -> dict[str, str]:
    """The text metadata of a PNG file."""
    with Image.open(path) as img:
        return {k: str(v) for k, v in getattr(img, "text", {}).items()}
