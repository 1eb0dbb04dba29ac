"""Drawing helpers shared by the procedural styles: palettes, a supersampled canvas, discs.

Compositions are laid out in unit coordinates and drawn at ``SUPERSAMPLE`` times the target size,
then box-filtered down (each pixel is the exact area average of its 4x4 block: anti-aliased edges
without Lanczos ringing, and about ten times faster), so a design stays clean at any size from 16
to 256 pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
from PIL import Image, ImageDraw

__all__ = ["RGB", "Rect", "StyleFn", "SUPERSAMPLE", "rgb", "palette", "pick", "canvas", "downsample", "disc_box"]

RGB = tuple[int, int, int]
Rect = tuple[float, float, float, float]
StyleFn = Callable[[np.random.Generator, int], np.ndarray]
T = TypeVar("T")

SUPERSAMPLE = 4


def rgb(hex_code: str) -> RGB:
    value = int(hex_code.lstrip("#"), 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def palette(hex_codes: str) -> list[RGB]:
    return [rgb(code) for code in hex_codes.split()]


def pick(rng: np.random.Generator, items: Sequence[T]) -> T:
    return items[int(rng.integers(len(items)))]


def canvas(size: int, background: RGB) -> tuple[Image.Image, ImageDraw.ImageDraw, int]:
    """A supersampled canvas, its drawing context and its side in pixels."""
    side = size * SUPERSAMPLE
    image = Image.new("RGB", (side, side), background)
    return image, ImageDraw.Draw(image), side


def downsample(image: Image.Image) -> np.ndarray:
    """Box-filter the supersampled canvas down: exact area coverage, so clean edges, no ringing."""
    return np.array(image.reduce(SUPERSAMPLE), dtype=np.uint8)


def disc_box(cx: float, cy: float, radius: float, side: int) -> Rect:
    """Pixel bounding box of a circle given in unit coordinates."""
    return (cx - radius) * side, (cy - radius) * side, (cx + radius) * side, (cy + radius) * side
