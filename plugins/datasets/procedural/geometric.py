"""Geometric styles: ring compositions (circles), Mondrian grids and Truchet tilings."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from ganvas.plugins.datasets.procedural.canvas import (
    RGB,
    SUPERSAMPLE,
    Rect,
    canvas,
    disc_box,
    downsample,
    palette,
    pick,
)

CIRCLE_PALETTES = [
    palette("#1B1B3A #C4302B #E8B93A #2F6FA7 #F2E8D5 #3E8E5E"),  # Kandinsky primaries
    palette("#264653 #2A9D8F #E9C46A #F4A261 #E76F51 #F8EDEB"),  # desert teal
    palette("#111111 #E63946 #F1C40F #1D3557 #F1FAEE #A8DADC"),  # Bauhaus
    palette("#22223B #F25C54 #F7B267 #4A6FA5 #F4F1DE #7FB7BE"),  # coral and slate
    palette("#3D2C5E #D1495B #EDAE49 #00798C #30638E #F3E9DC"),  # jewel
]


def _spread_centre(rng: np.random.Generator, centres: list[np.ndarray]) -> np.ndarray:
    """Best of a few random centres: the one farthest from the ring sets already placed."""
    candidates = rng.uniform(0.22, 0.78, (4, 2))
    if not centres:
        return np.asarray(candidates[0])
    gaps = np.linalg.norm(candidates[:, None] - np.array(centres)[None], axis=-1).min(axis=1)
    return np.asarray(candidates[int(np.argmax(gaps))])


def _ring_set(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    side: int,
    centre: np.ndarray,
    radius: float,
    inks: list[RGB],
) -> None:
    """Concentric discs of uneven widths drifting gently off-centre, no two neighbours alike."""
    rings = min(int(rng.integers(3, 5)), max(2, int(radius / 0.06)))
    steps = np.arange(rings) + np.r_[0.0, rng.uniform(-0.2, 0.2, rings - 1)]
    radii = (radius * (1 - steps / rings)).tolist()
    angle, drift = rng.uniform(0, 2 * np.pi), rng.uniform(0.0, 0.4)
    dx, dy = drift * np.cos(angle), drift * np.sin(angle)
    cx, cy = centre.tolist()
    colours = np.cumsum(rng.integers(1, len(inks), rings)) % len(inks)
    for outer, inner, colour in zip(radii, [*radii[1:], 0.0], colours, strict=True):
        draw.ellipse(disc_box(cx, cy, outer, side), fill=inks[colour])
        cx, cy = cx + dx * (outer - inner), cy + dy * (outer - inner)


def circles(rng: np.random.Generator, size: int) -> np.ndarray:
    """Kandinsky-like concentric rings: one dominant set and a few satellites on a coloured ground."""
    palette = pick(rng, CIRCLE_PALETTES)
    order = rng.permutation(len(palette))
    inks = [palette[i] for i in order[1:]]
    image, draw, side = canvas(size, palette[order[0]])
    sets = int(rng.choice([2, 3, 4], p=[0.5, 0.35, 0.15]))
    centres: list[np.ndarray] = []
    radii = [rng.uniform(0.3, 0.42), *sorted(rng.uniform(0.13, 0.27, sets - 1), reverse=True)]
    for radius in radii:
        centres.append(_spread_centre(rng, centres))
        _ring_set(draw, rng, side, centres[-1], float(radius), inks)
    return downsample(image)


# --- mondrian --------------------------------------------------------------------------

# white, off-white, red, blue, yellow, black
MONDRIAN_PALETTES = [
    palette("#F4F1E8 #E6E3DA #D40920 #1356A2 #F7D842 #121212"),  # classic
    palette("#F2EBDD #DDD6C6 #C1272D #23408E #F3C130 #1A1A1A"),  # aged canvas
    palette("#FAFAFA #ECECEC #E3262A #0F4C9C #FFD400 #0A0A0A"),  # crisp print
]
MIN_CELL = 0.14


def _split(rng: np.random.Generator, rect: Rect) -> tuple[Rect, Rect]:
    """Cut a rectangle across its longer side (either side when nearly square)."""
    x0, y0, x1, y1 = rect
    width, height = x1 - x0, y1 - y0
    nearly_square = abs(width - height) < 0.1 and min(width, height) > 2 * MIN_CELL
    vertical = bool(rng.random() < 0.5) if nearly_square else width > height
    if vertical:
        cut = x0 + rng.uniform(MIN_CELL, width - MIN_CELL)
        return (x0, y0, cut, y1), (cut, y0, x1, y1)
    cut = y0 + rng.uniform(MIN_CELL, height - MIN_CELL)
    return (x0, y0, x1, cut), (x0, cut, x1, y1)


def _mondrian_cells(rng: np.random.Generator) -> list[Rect]:
    """Split the unit square into 4-9 cells, favouring big cells so sizes stay varied."""
    cells: list[Rect] = [(0.0, 0.0, 1.0, 1.0)]
    for _ in range(int(rng.integers(3, 9))):
        longest = np.array([max(x1 - x0, y1 - y0) for x0, y0, x1, y1 in cells])
        weights = np.where(longest > 2 * MIN_CELL, longest**2, 0.0)
        if not weights.any():
            break
        cells.extend(_split(rng, cells.pop(int(rng.choice(len(cells), p=weights / weights.sum())))))
    return cells


def _mondrian_fills(rng: np.random.Generator, count: int, palette: list[RGB]) -> list[RGB]:
    """Mostly white cells, a few primaries, sometimes one black block."""
    white, off_white, red, blue, yellow, black = palette
    fills = [off_white if rng.random() < 0.15 else white for _ in range(count)]
    accents = [red, blue, yellow][: int(rng.integers(1, 4))]
    if rng.random() < 0.25:
        accents.append(black)
    accents = [accents[i] for i in rng.permutation(len(accents))]
    for cell, accent in zip(rng.permutation(count), accents, strict=False):
        fills[cell] = accent
    return fills


def mondrian(rng: np.random.Generator, size: int) -> np.ndarray:
    """Mondrian grid: thick black lines, white cells and a few red, blue and yellow blocks."""
    palette = pick(rng, MONDRIAN_PALETTES)
    cells = _mondrian_cells(rng)
    fills = _mondrian_fills(rng, len(cells), palette)
    image, draw, side = canvas(size, palette[-1])
    half_line = rng.uniform(0.028, 0.036)
    for (x0, y0, x1, y1), fill in zip(cells, fills, strict=True):
        box = [
            (x0 + half_line) * side if x0 > 0 else 0,
            (y0 + half_line) * side if y0 > 0 else 0,
            (x1 - half_line) * side if x1 < 1 else side,
            (y1 - half_line) * side if y1 < 1 else side,
        ]
        draw.rectangle(box, fill=fill)
    return downsample(image)


# --- truchet ---------------------------------------------------------------------------

# ink, paper
TRUCHET_PALETTES = [
    palette("#1D3557 #F1FAEE"),  # navy on cream
    palette("#C8553D #F6E7CB"),  # terracotta on sand
    palette("#005F73 #E9D8A6"),  # teal on wheat
    palette("#2B2D42 #F2C14E"),  # charcoal on mustard
    palette("#6D2E46 #ECE2D0"),  # plum on linen
    palette("#0B6E4F #F2E9DC"),  # green on cream
]


BAND_HALF_WIDTH = 0.14  # of a tile; arcs run at radius 0.5 from the tile corners


@lru_cache(maxsize=32)
def _truchet_templates(tiles: int, side: int, banded: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel tile index and the 0/255 ink mask for each of the two tile orientations.

    Filled masks use the classic parity colouring, so regions stay consistent across
    tile borders whatever the orientations.
    """
    coords = (np.arange(side) + 0.5) * tiles / side
    index = coords.astype(np.intp)
    u, v = (coords - index)[None, :], (coords - index)[:, None]
    nearest = np.stack(
        [
            np.minimum(np.hypot(u, v), np.hypot(1 - u, 1 - v)),
            np.minimum(np.hypot(1 - u, v), np.hypot(u, 1 - v)),
        ]
    )
    if banded:
        ink = np.abs(nearest - 0.5) < BAND_HALF_WIDTH
    else:
        parity = (index[:, None] + index[None, :]) % 2 == 1
        ink = (nearest < 0.5) ^ parity ^ np.array([False, True])[:, None, None]
    masks = ink.astype(np.uint8) * 255
    masks.setflags(write=False)
    return index, masks


def truchet(rng: np.random.Generator, size: int) -> np.ndarray:
    """Truchet tiles: randomly turned quarter-circle arcs joining into flowing two-colour curves."""
    ink, paper = (np.array(c, dtype=np.float32) for c in pick(rng, TRUCHET_PALETTES))
    if rng.random() < 0.3:
        ink, paper = paper, ink
    banded = bool(rng.random() < 0.5)
    tiles = int(rng.integers(4, 6 if banded else 7))
    index, masks = _truchet_templates(tiles, size * SUPERSAMPLE, banded)
    flips = rng.integers(0, 2, (tiles, tiles)).astype(bool)[np.ix_(index, index)]
    mask = np.where(flips, masks[1], masks[0])
    alpha = downsample(Image.fromarray(mask))[..., None] / np.float32(255)
    return np.rint(paper + alpha * (ink - paper)).astype(np.uint8)


# --- stripes ---------------------------------------------------------------------------

# background, then bands from light to dark (the darkest is the sunset's ground)
