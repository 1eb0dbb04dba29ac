"""Nature styles: layered mountain ridges under a gradient sky, and flowers of petals."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ganvas.plugins.datasets.procedural.canvas import (
    RGB,
    SUPERSAMPLE,
    canvas,
    disc_box,
    downsample,
    palette,
    pick,
)

MOUNTAIN_PALETTES = [
    palette("#2B1B4A #F28C6B #FFD27F #B0637C #7A3F6E #4A2550 #24122F"),  # dusk
    palette("#F3C9B8 #F7A072 #FFF1D0 #C98F8F #9B6A7C #6B4866 #3A2845"),  # dawn
    palette("#0B1D3A #3C5F8F #F2F0E6 #46648C #2C4468 #1C2E4F #0E1A30"),  # moonlight
    palette("#7FB5DA #E4F1F7 #FFFBE6 #A7BFCC #6E8FA3 #3F6075 #1F3A4A"),  # alpine
    palette("#E9C27A #F6E7C1 #FFF6D5 #A9B48E #6E8B63 #44633F #203A22"),  # forest
]


def _sky(side: int, top: RGB, horizon: RGB) -> Image.Image:
    """A vertical gradient from ``top`` to ``horizon`` colour (reached 70 % of the way down)."""
    t = np.clip(np.linspace(0.0, 1.0 / 0.7, side), 0, 1)[:, None]
    column = (1 - t) * np.array(top, float) + t * np.array(horizon, float)
    return Image.fromarray(np.repeat(column[:, None, :], side, axis=1).round().astype(np.uint8))


def _ridge(rng: np.random.Generator, base: float, height: float, points: int = 97) -> np.ndarray:
    """A ridgeline: ``points`` heights (unit y, down is +) from a few random octaves of sines."""
    x = np.linspace(0.0, 1.0, points)
    y = np.full(points, base)
    for octave in range(4):
        freq = rng.uniform(1.0, 2.2) * 2**octave
        y -= height * 0.55**octave * np.sin(2 * np.pi * (freq * x + rng.random()))
    return y - height * rng.uniform(0.2, 0.8) * np.exp(-(((x - rng.uniform(0.2, 0.8)) / 0.18) ** 2))  # a peak


def mountains(rng: np.random.Generator, size: int) -> np.ndarray:
    """Layered mountain ranges fading into a gradient sky, under a low sun or moon."""
    top, horizon, sun, *ridges = pick(rng, MOUNTAIN_PALETTES)
    side = size * SUPERSAMPLE
    image = _sky(side, top, horizon)
    draw = ImageDraw.Draw(image)
    draw.ellipse(disc_box(rng.uniform(0.2, 0.8), rng.uniform(0.22, 0.5), rng.uniform(0.07, 0.13), side), fill=sun)
    layers = int(rng.integers(3, len(ridges) + 1))
    chosen = ridges[len(ridges) - layers :]  # always end on the darkest, nearest ridge
    bases = np.sort(rng.uniform(0.45, 0.9, layers)) + np.linspace(0, 0.06, layers)
    x = np.linspace(0.0, 1.0, 97) * side
    for colour, base, k in zip(chosen, bases, range(layers), strict=True):
        y = _ridge(rng, float(base), 0.05 + 0.035 * k) * side
        draw.polygon([(0, side), *zip(x.tolist(), y.tolist()), (side, side)], fill=colour)
    return downsample(image)


# --- petals ----------------------------------------------------------------------------

# background, outer petals, inner petals, centre, centre dots
PETAL_PALETTES = [
    palette("#F4EDE1 #E76F51 #F4A261 #3D2C2E #E9C46A"),  # poppy on paper
    palette("#1E2A38 #F2A7C3 #FADADD #F6C445 #8C4A2F"),  # cherry blossom at night
    palette("#E8F1EC #5B8E7D #BCD8B7 #F2C14E #7A4F2A"),  # sage
    palette("#2F1B41 #9D4EDD #E0AAFF #FFD166 #5A189A"),  # violet
    palette("#FFF8E7 #1D4E89 #7EB2DD #F79256 #0B2545"),  # delft blue
    palette("#F7D9C4 #B5179E #F72585 #FFBE0B #3A0CA3"),  # magenta
]


def _petal(cx: float, cy: float, angle: float, length: float, width: float, side: int) -> list[tuple[float, float]]:
    """A pointed-oval petal from the centre outward along ``angle``, as polygon points in pixels."""
    t = np.linspace(0.0, np.pi, 24)
    along = np.concatenate([length * (1 - np.cos(t)) / 2, length * (1 - np.cos(t[::-1])) / 2])
    across = np.concatenate([width * np.sin(t) ** 1.4, -width * np.sin(t[::-1]) ** 1.4])
    c, s = np.cos(angle), np.sin(angle)
    xs, ys = cx + along * c - across * s, cy + along * s + across * c
    return list(zip((xs * side).tolist(), (ys * side).tolist()))


def petals(rng: np.random.Generator, size: int) -> np.ndarray:
    """A single flower head seen from above: two rings of petals around a dotted centre."""
    background, outer, inner, centre, dots = pick(rng, PETAL_PALETTES)
    image, draw, side = canvas(size, background)
    cx, cy = rng.uniform(0.4, 0.6, 2).tolist()
    count = int(rng.integers(5, 10))
    radius, turn = rng.uniform(0.36, 0.46), rng.uniform(0, 2 * np.pi)
    for colour, scale, offset in ((outer, 1.0, 0.0), (inner, 0.62, 0.5)):
        width = radius * scale * rng.uniform(0.5, 0.75) * np.pi / count
        for k in range(count):
            angle = turn + 2 * np.pi * (k + offset) / count + rng.normal(0, 0.04)
            draw.polygon(_petal(cx, cy, angle, radius * scale * rng.uniform(0.92, 1.05), width, side), fill=colour)
    core = radius * rng.uniform(0.2, 0.28)
    draw.ellipse(disc_box(cx, cy, core, side), fill=centre)
    for _ in range(int(rng.integers(5, 12))):
        r, a = core * 0.7 * np.sqrt(rng.random()), rng.uniform(0, 2 * np.pi)
        draw.ellipse(disc_box(cx + r * np.cos(a), cy + r * np.sin(a), core * 0.12, side), fill=dots)
    return downsample(image)
