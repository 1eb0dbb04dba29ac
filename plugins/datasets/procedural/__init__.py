"""``procedural:STYLE``: art ganvas draws itself to train on, deterministic by seed (no download).

Every style draws one square RGB image from a numpy ``Generator``: no downloads,
fully deterministic by seed. Compositions are laid out in unit coordinates and
drawn at ``SUPERSAMPLE`` times the target size, then box-filtered down (each
pixel is the exact area average of its 4x4 block: anti-aliased edges without
Lanczos ringing, and about ten times faster), so the same design stays clean at
any size from 16 to 256 pixels. Each style picks one of a few curated palettes
per image: varied images, one recognisable look.
"""

from __future__ import annotations

import numpy as np
import torch

from ganvas.data import ImageSet
from ganvas.errors import UnknownNameError, UserInputError
from ganvas.plugins.datasets.procedural.canvas import StyleFn
from ganvas.plugins.datasets.procedural.geometric import circles, mondrian, truchet
from ganvas.plugins.datasets.procedural.nature import mountains, petals
from ganvas.plugins.datasets.procedural.sunsets import stripes

__all__ = ["STYLES", "MIXED", "draw", "draw_many", "load"]

STYLES: dict[str, StyleFn] = {
    "circles": circles,
    "mondrian": mondrian,
    "truchet": truchet,
    "stripes": stripes,
    "mountains": mountains,
    "petals": petals,
}


def _style_fn(style: str) -> StyleFn:
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; valid styles: {', '.join(STYLES)}")
    return STYLES[style]


def draw(style: str, rng: np.random.Generator, size: int) -> np.ndarray:
    """Draw one (size, size, 3) uint8 RGB image of ``style``."""
    return _style_fn(style)(rng, size)


def draw_many(style: str, count: int, size: int, seed: int) -> np.ndarray:
    """Draw ``count`` images as (count, size, size, 3) uint8; image i depends only on (style, seed, i)."""
    style_fn = _style_fn(style)
    images = np.empty((count, size, size, 3), dtype=np.uint8)
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(count)):
        images[i] = style_fn(np.random.default_rng(child), size)
    return images


#: ``procedural:mixed``: every style at once, each image labelled with its style (a class).
MIXED = "mixed"


def load(argument: str, *, size: int, channels: int, count: int, seed: int) -> ImageSet:
    style = argument or "circles"
    if style == MIXED:
        return _mixed(size, channels, count, seed)
    if style not in STYLES:
        raise UnknownNameError("procedural style", style, [*STYLES, MIXED])
    images = torch.from_numpy(draw_many(style, count, size, seed)).permute(0, 3, 1, 2).contiguous()
    return ImageSet(_channels(images, channels), name=f"procedural:{style}")


def _mixed(size: int, channels: int, count: int, seed: int) -> ImageSet:
    """``count`` images, as even a share of each style as ``count`` allows, labelled by style;
    style ``k`` draws from seed ``seed + k``, so its images do not depend on the other styles."""
    names = list(STYLES)
    if count < len(names):
        raise UserInputError(f"procedural:mixed needs data.count >= {len(names)} (one image per style), got {count}")
    shares = [count // len(names) + (k < count % len(names)) for k in range(len(names))]
    parts = [draw_many(name, n, size, seed + k) for k, (name, n) in enumerate(zip(names, shares))]
    images = torch.from_numpy(np.concatenate(parts)).permute(0, 3, 1, 2).contiguous()
    labels = torch.cat([torch.full((n,), k, dtype=torch.long) for k, n in enumerate(shares)])
    return ImageSet(_channels(images, channels), name="procedural:mixed", labels=labels, classes=names)


def _channels(images: torch.Tensor, channels: int) -> torch.Tensor:
    if channels == 1:  # ITU-R 601 luma, as Pillow's convert("L")
        weights = torch.tensor([299, 587, 114], dtype=torch.int32).view(1, 3, 1, 1)
        return ((images.int() * weights).sum(1, keepdim=True) // 1000).to(torch.uint8)
    return images
