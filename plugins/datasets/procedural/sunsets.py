"""Retro sunsets (stripes): banded suns over dark ground and diagonal 70s sashes."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ganvas.plugins.datasets.procedural.canvas import (
    RGB,
    canvas,
    disc_box,
    downsample,
    palette,
    pick,
)

STRIPE_PALETTES = [
    palette("#F3E9D2 #F6C445 #F09133 #E0562C #A8323E #4B2142"),  # seventies sunset
    palette("#1B1B3A #FFE066 #FFA45B #FF6B6B #C44569 #6C3483"),  # synthwave dusk
    palette("#EFE6DD #E9C46A #F4A261 #E76F51 #2A9D8F #264653"),  # desert
    palette("#FDF0D5 #FFB703 #FB8500 #C1121F #780000 #003049"),  # poster
]


def _banded_sun(
    side: int, centre: tuple[float, float], radius: float, horizon: float, bands: list[RGB]
) -> tuple[Image.Image, Image.Image]:
    """Sun colours and mask: horizontal bands down to the horizon, parted by widening gaps."""
    cx, cy = centre
    edges = np.linspace(cy - radius, horizon, len(bands) + 1).tolist()
    colours = Image.new("RGB", (side, side))
    paint = ImageDraw.Draw(colours)
    for colour, y0, y1 in zip(bands, edges[:-1], edges[1:], strict=True):
        paint.rectangle([0, y0 * side, side, y1 * side], fill=colour)
    mask = Image.new("L", (side, side))
    cut = ImageDraw.Draw(mask)
    cut.ellipse(disc_box(cx, cy, radius, side), fill=255)
    for k, y in enumerate(edges[1:-1], start=2):
        half_gap = 0.0175 * (horizon - edges[0]) * k
        cut.rectangle([0, (y - half_gap) * side, side, (y + half_gap) * side], fill=0)
    return colours, mask


def _sunset(image: Image.Image, rng: np.random.Generator, bands: list[RGB]) -> None:
    """A banded sun setting behind a dark ground, mirrored by shrinking reflection bars."""
    *sun_bands, ground = bands
    side = image.width
    radius, horizon = rng.uniform(0.24, 0.34), rng.uniform(0.62, 0.78)
    cx, cy = rng.uniform(0.38, 0.62), horizon - radius * rng.uniform(0.1, 0.6)
    colours, mask = _banded_sun(side, (cx, cy), radius, horizon, sun_bands)
    image.paste(colours, mask=mask)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, horizon * side, side, side], fill=ground)
    for k, colour in enumerate(reversed(sun_bands[1:])):
        y, half = horizon + (1 - horizon) * (0.3 + 0.25 * k), radius * (0.85 - 0.25 * k)
        bar = [(cx - half) * side, (y - 0.02) * side, (cx + half) * side, (y + 0.02) * side]
        draw.rectangle(bar, fill=colour)


def _diagonal_bands(draw: ImageDraw.ImageDraw, rng: np.random.Generator, side: int, bands: list[RGB]) -> None:
    """A sash of parallel bands crossing the canvas at a jaunty angle."""
    angle = rng.uniform(0.45, 1.1) * (1 if rng.random() < 0.5 else -1)
    direction = np.array([np.cos(angle), np.sin(angle)])
    normal = np.array([-direction[1], direction[0]])
    width = rng.uniform(0.08, 0.11)
    start = 0.5 + normal * width * len(bands) / 2 + normal * rng.uniform(-0.08, 0.08)
    for k, colour in enumerate(bands):
        near, far = start - normal * width * k, start - normal * width * (k + 1)
        corners = [near - 2 * direction, near + 2 * direction, far + 2 * direction, far - 2 * direction]
        draw.polygon([tuple(float(c) for c in p * side) for p in corners], fill=colour)


def stripes(rng: np.random.Generator, size: int) -> np.ndarray:
    """Retro stripes: a banded sunset disc or a sash of bold diagonal bands."""
    background, *bands = pick(rng, STRIPE_PALETTES)
    image, draw, side = canvas(size, background)
    if rng.random() < 0.6:
        _sunset(image, rng, bands)
    else:
        _diagonal_bands(draw, rng, side, bands)
    return downsample(image)


# --- mountains -------------------------------------------------------------------------

# sky top, sky at the horizon, sun or moon, then ridges from the farthest (hazy) to the nearest
