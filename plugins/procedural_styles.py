"""Procedural art generators that make small training images for ganvas GANs.

Every style draws one square RGB image from a numpy ``Generator``: no downloads,
fully deterministic by seed. Compositions are laid out in unit coordinates and
drawn at ``SUPERSAMPLE`` times the target size, then box-filtered down (each
pixel is the exact area average of its 4x4 block: anti-aliased edges without
Lanczos ringing, and about ten times faster), so the same design stays clean at
any size from 16 to 256 pixels. Each style picks one of a few curated palettes
per image: varied images, one recognisable look.
"""

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TypeVar

import numpy as np
from PIL import Image, ImageDraw

RGB = tuple[int, int, int]
Rect = tuple[float, float, float, float]
StyleFn = Callable[[np.random.Generator, int], np.ndarray]
T = TypeVar("T")

SUPERSAMPLE = 4


def _rgb(hex_code: str) -> RGB:
    value = int(hex_code.lstrip("#"), 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def _palette(hex_codes: str) -> list[RGB]:
    return [_rgb(code) for code in hex_codes.split()]


def _pick(rng: np.random.Generator, items: Sequence[T]) -> T:
    return items[int(rng.integers(len(items)))]


def _canvas(size: int, background: RGB) -> tuple[Image.Image, ImageDraw.ImageDraw, int]:
    """A supersampled canvas, its drawing context and its side in pixels."""
    side = size * SUPERSAMPLE
    image = Image.new("RGB", (side, side), background)
    return image, ImageDraw.Draw(image), side


def _downsample(image: Image.Image) -> np.ndarray:
    """Box-filter the supersampled canvas down: exact area coverage, so clean edges, no ringing."""
    return np.array(image.reduce(SUPERSAMPLE), dtype=np.uint8)


def _disc_box(cx: float, cy: float, radius: float, side: int) -> Rect:
    """Pixel bounding box of a circle given in unit coordinates."""
    return (cx - radius) * side, (cy - radius) * side, (cx + radius) * side, (cy + radius) * side


# --- circles ---------------------------------------------------------------------------

CIRCLE_PALETTES = [
    _palette("#1B1B3A #C4302B #E8B93A #2F6FA7 #F2E8D5 #3E8E5E"),  # Kandinsky primaries
    _palette("#264653 #2A9D8F #E9C46A #F4A261 #E76F51 #F8EDEB"),  # desert teal
    _palette("#111111 #E63946 #F1C40F #1D3557 #F1FAEE #A8DADC"),  # Bauhaus
    _palette("#22223B #F25C54 #F7B267 #4A6FA5 #F4F1DE #7FB7BE"),  # coral and slate
    _palette("#3D2C5E #D1495B #EDAE49 #00798C #30638E #F3E9DC"),  # jewel
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
        draw.ellipse(_disc_box(cx, cy, outer, side), fill=inks[colour])
        cx, cy = cx + dx * (outer - inner), cy + dy * (outer - inner)


def circles(rng: np.random.Generator, size: int) -> np.ndarray:
    """Kandinsky-like concentric rings: one dominant set and a few satellites on a coloured ground."""
    palette = _pick(rng, CIRCLE_PALETTES)
    order = rng.permutation(len(palette))
    inks = [palette[i] for i in order[1:]]
    image, draw, side = _canvas(size, palette[order[0]])
    sets = int(rng.choice([2, 3, 4], p=[0.5, 0.35, 0.15]))
    centres: list[np.ndarray] = []
    radii = [rng.uniform(0.3, 0.42), *sorted(rng.uniform(0.13, 0.27, sets - 1), reverse=True)]
    for radius in radii:
        centres.append(_spread_centre(rng, centres))
        _ring_set(draw, rng, side, centres[-1], float(radius), inks)
    return _downsample(image)


# --- mondrian --------------------------------------------------------------------------

# white, off-white, red, blue, yellow, black
MONDRIAN_PALETTES = [
    _palette("#F4F1E8 #E6E3DA #D40920 #1356A2 #F7D842 #121212"),  # classic
    _palette("#F2EBDD #DDD6C6 #C1272D #23408E #F3C130 #1A1A1A"),  # aged canvas
    _palette("#FAFAFA #ECECEC #E3262A #0F4C9C #FFD400 #0A0A0A"),  # crisp print
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
    palette = _pick(rng, MONDRIAN_PALETTES)
    cells = _mondrian_cells(rng)
    fills = _mondrian_fills(rng, len(cells), palette)
    image, draw, side = _canvas(size, palette[-1])
    half_line = rng.uniform(0.028, 0.036)
    for (x0, y0, x1, y1), fill in zip(cells, fills, strict=True):
        box = [
            (x0 + half_line) * side if x0 > 0 else 0,
            (y0 + half_line) * side if y0 > 0 else 0,
            (x1 - half_line) * side if x1 < 1 else side,
            (y1 - half_line) * side if y1 < 1 else side,
        ]
        draw.rectangle(box, fill=fill)
    return _downsample(image)


# --- truchet ---------------------------------------------------------------------------

# ink, paper
TRUCHET_PALETTES = [
    _palette("#1D3557 #F1FAEE"),  # navy on cream
    _palette("#C8553D #F6E7CB"),  # terracotta on sand
    _palette("#005F73 #E9D8A6"),  # teal on wheat
    _palette("#2B2D42 #F2C14E"),  # charcoal on mustard
    _palette("#6D2E46 #ECE2D0"),  # plum on linen
    _palette("#0B6E4F #F2E9DC"),  # green on cream
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
    ink, paper = (np.array(c, dtype=np.float32) for c in _pick(rng, TRUCHET_PALETTES))
    if rng.random() < 0.3:
        ink, paper = paper, ink
    banded = bool(rng.random() < 0.5)
    tiles = int(rng.integers(4, 6 if banded else 7))
    index, masks = _truchet_templates(tiles, size * SUPERSAMPLE, banded)
    flips = rng.integers(0, 2, (tiles, tiles)).astype(bool)[np.ix_(index, index)]
    mask = np.where(flips, masks[1], masks[0])
    alpha = _downsample(Image.fromarray(mask))[..., None] / np.float32(255)
    return np.rint(paper + alpha * (ink - paper)).astype(np.uint8)


# --- stripes ---------------------------------------------------------------------------

# background, then bands from light to dark (the darkest is the sunset's ground)
STRIPE_PALETTES = [
    _palette("#F3E9D2 #F6C445 #F09133 #E0562C #A8323E #4B2142"),  # seventies sunset
    _palette("#1B1B3A #FFE066 #FFA45B #FF6B6B #C44569 #6C3483"),  # synthwave dusk
    _palette("#EFE6DD #E9C46A #F4A261 #E76F51 #2A9D8F #264653"),  # desert
    _palette("#FDF0D5 #FFB703 #FB8500 #C1121F #780000 #003049"),  # poster
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
    cut.ellipse(_disc_box(cx, cy, radius, side), fill=255)
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
    background, *bands = _pick(rng, STRIPE_PALETTES)
    image, draw, side = _canvas(size, background)
    if rng.random() < 0.6:
        _sunset(image, rng, bands)
    else:
        _diagonal_bands(draw, rng, side, bands)
    return _downsample(image)


# --- mountains -------------------------------------------------------------------------

# sky top, sky at the horizon, sun or moon, then ridges from the farthest (hazy) to the nearest
MOUNTAIN_PALETTES = [
    _palette("#2B1B4A #F28C6B #FFD27F #B0637C #7A3F6E #4A2550 #24122F"),  # dusk
    _palette("#F3C9B8 #F7A072 #FFF1D0 #C98F8F #9B6A7C #6B4866 #3A2845"),  # dawn
    _palette("#0B1D3A #3C5F8F #F2F0E6 #46648C #2C4468 #1C2E4F #0E1A30"),  # moonlight
    _palette("#7FB5DA #E4F1F7 #FFFBE6 #A7BFCC #6E8FA3 #3F6075 #1F3A4A"),  # alpine
    _palette("#E9C27A #F6E7C1 #FFF6D5 #A9B48E #6E8B63 #44633F #203A22"),  # forest
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
        freq = rng.uniform(1.0, 2.2) * 2 ** octave
        y -= height * 0.55 ** octave * np.sin(2 * np.pi * (freq * x + rng.random()))
    return y - height * rng.uniform(0.2, 0.8) * np.exp(-((x - rng.uniform(0.2, 0.8)) / 0.18) ** 2)  # a peak


def mountains(rng: np.random.Generator, size: int) -> np.ndarray:
    """Layered mountain ranges fading into a gradient sky, under a low sun or moon."""
    top, horizon, sun, *ridges = _pick(rng, MOUNTAIN_PALETTES)
    side = size * SUPERSAMPLE
    image = _sky(side, top, horizon)
    draw = ImageDraw.Draw(image)
    draw.ellipse(_disc_box(rng.uniform(0.2, 0.8), rng.uniform(0.22, 0.5), rng.uniform(0.07, 0.13), side), fill=sun)
    layers = int(rng.integers(3, len(ridges) + 1))
    chosen = ridges[len(ridges) - layers:]  # always end on the darkest, nearest ridge
    bases = np.sort(rng.uniform(0.45, 0.9, layers)) + np.linspace(0, 0.06, layers)
    x = np.linspace(0.0, 1.0, 97) * side
    for colour, base, k in zip(chosen, bases, range(layers), strict=True):
        y = _ridge(rng, float(base), 0.05 + 0.035 * k) * side
        draw.polygon([(0, side), *zip(x.tolist(), y.tolist()), (side, side)], fill=colour)
    return _downsample(image)


# --- petals ----------------------------------------------------------------------------

# background, outer petals, inner petals, centre, centre dots
PETAL_PALETTES = [
    _palette("#F4EDE1 #E76F51 #F4A261 #3D2C2E #E9C46A"),  # poppy on paper
    _palette("#1E2A38 #F2A7C3 #FADADD #F6C445 #8C4A2F"),  # cherry blossom at night
    _palette("#E8F1EC #5B8E7D #BCD8B7 #F2C14E #7A4F2A"),  # sage
    _palette("#2F1B41 #9D4EDD #E0AAFF #FFD166 #5A189A"),  # violet
    _palette("#FFF8E7 #1D4E89 #7EB2DD #F79256 #0B2545"),  # delft blue
    _palette("#F7D9C4 #B5179E #F72585 #FFBE0B #3A0CA3"),  # magenta
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
    background, outer, inner, centre, dots = _pick(rng, PETAL_PALETTES)
    image, draw, side = _canvas(size, background)
    cx, cy = rng.uniform(0.4, 0.6, 2).tolist()
    count = int(rng.integers(5, 10))
    radius, turn = rng.uniform(0.36, 0.46), rng.uniform(0, 2 * np.pi)
    for ring, (colour, scale, offset) in enumerate(((outer, 1.0, 0.0), (inner, 0.62, 0.5))):
        width = radius * scale * rng.uniform(0.5, 0.75) * np.pi / count
        for k in range(count):
            angle = turn + 2 * np.pi * (k + offset) / count + rng.normal(0, 0.04)
            draw.polygon(_petal(cx, cy, angle, radius * scale * rng.uniform(0.92, 1.05), width, side), fill=colour)
    core = radius * rng.uniform(0.2, 0.28)
    draw.ellipse(_disc_box(cx, cy, core, side), fill=centre)
    for _ in range(int(rng.integers(5, 12))):
        r, a = core * 0.7 * np.sqrt(rng.random()), rng.uniform(0, 2 * np.pi)
        draw.ellipse(_disc_box(cx + r * np.cos(a), cy + r * np.sin(a), core * 0.12, side), fill=dots)
    return _downsample(image)


# --- public API ------------------------------------------------------------------------

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
