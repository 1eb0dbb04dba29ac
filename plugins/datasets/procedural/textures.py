"""Built-in textures for ``texture:NAME``: large stationary pictures ganvas draws itself, no download.

Each texture is one square RGB picture drawn from a numpy ``Generator`` at any side. Features are
sized relative to the side, so a larger canvas is the same texture in finer detail. Every texture
has the same statistics everywhere (it is *stationary*, what a spatial texture GAN learns from
random crops) but need not tile. Hard edges are drawn at ``SUPERSAMPLE`` times the side and
box-filtered down; the noise is smooth cubic B-spline value noise, computed as two small matrix
products, so a 512-px texture draws in a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from ganvas.plugins.datasets.procedural.canvas import RGB, palette, pick

__all__ = ["TEXTURES", "TextureFn", "SUPERSAMPLE", "draw"]

TextureFn = Callable[[np.random.Generator, int], np.ndarray]

SUPERSAMPLE = 2
#: The variance of unit white noise interpolated by a cubic B-spline, per axis (151/315).
_SPLINE_VARIANCE = 151 / 315


# --- shared helpers --------------------------------------------------------------------


def _spline_matrix(n: int, cells: float, offset: float) -> np.ndarray:
    """``(n, lattice)`` cubic B-spline weights that sample a random lattice at ``n`` pixel centres."""
    u = (np.arange(n) + 0.5) * (cells / n) + offset
    i = np.floor(u).astype(np.int64)
    f = (u - i)[:, None]
    weights = (
        np.concatenate([(1 - f) ** 3, 3 * f**3 - 6 * f**2 + 4, -3 * f**3 + 3 * f**2 + 3 * f + 1, f**3], axis=1) / 6
    )
    matrix = np.zeros((n, int(np.ceil(cells + offset)) + 4))
    matrix[np.arange(n)[:, None], i[:, None] + np.arange(4)] = weights
    return matrix


def _noise(rng: np.random.Generator, n: int, cells_y: float, cells_x: float | None = None) -> np.ndarray:
    """Smooth value noise ``(n, n)``: about ``cells`` features a side, mean 0, standard deviation about 1."""
    cells_y = min(cells_y, n / 2)
    cells_x = cells_y if cells_x is None else min(cells_x, n / 2)
    rows, cols = _spline_matrix(n, cells_y, rng.random()), _spline_matrix(n, cells_x, rng.random())
    lattice = rng.standard_normal((rows.shape[1], cols.shape[1]))
    # torch's matmul keeps to the thread count ganvas set (numpy's BLAS may take every core); in float64,
    # so another thread count's summation order leaves the float32 result, and so the pixels, as they are
    product = torch.from_numpy(rows) @ torch.from_numpy(lattice) @ torch.from_numpy(cols).T
    return (product / _SPLINE_VARIANCE).numpy().astype(np.float32)


def _fbm(rng: np.random.Generator, n: int, cells: float, octaves: int, gain: float = 0.5) -> np.ndarray:
    """Fractal noise: ``octaves`` of value noise, each twice as fine and ``gain`` as strong; std about 1."""
    total = sum(gain**k * _noise(rng, n, cells * 2**k) for k in range(octaves))
    return total / np.float32(np.sqrt(sum(gain ** (2 * k) for k in range(octaves))))


def _smoothstep(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - edge0) / (edge1 - edge0), 0, 1)
    return t * t * (3 - 2 * t)


def _grid(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates ``(y, x)`` of an ``n`` x ``n`` picture, float32."""
    axis = np.arange(n, dtype=np.float32) + 0.5
    return axis[:, None] + np.zeros((1, n), np.float32), axis[None, :] + np.zeros((n, 1), np.float32)


def _hsv(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
    """HSV arrays in [0, 1] -> RGB in [0, 1], shape ``(..., 3)``."""
    i = np.floor(h * 6) % 6
    f = h * 6 - np.floor(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    choices = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    return np.stack([np.select([i == k for k in range(6)], [c[ch] for c in choices]) for ch in range(3)], -1)


def _colours(rng: np.random.Generator, shape: tuple[int, ...], inks: list[RGB], spread: float) -> np.ndarray:
    """Random colours in [0, 1], ``shape + (3,)``: an ink each, with brightness and tint varied."""
    base = np.array(inks, np.float32)[rng.integers(len(inks), size=shape)] / 255
    light = rng.uniform(1 - spread, 1 + spread, shape + (1,))
    return base * light * (1 + rng.normal(0, spread / 6, shape + (3,)))


def _lambert(height: np.ndarray, light: tuple[float, float, float] = (-0.55, -0.65, 1.0)) -> np.ndarray:
    """How lit a height field (in pixels) is by a light from the top left; 1 on flat ground."""
    dy, dx = np.gradient(height)
    lx, ly, lz = np.array(light) / np.linalg.norm(light)
    return np.clip((-dx * lx - dy * ly + lz) / np.sqrt(dx * dx + dy * dy + 1) / lz, 0, 1.6)


def _finish(rgb: np.ndarray, factor: int) -> np.ndarray:
    """Box-filter a float RGB picture in [0, 1] down by ``factor`` and quantise it to uint8."""
    n = rgb.shape[0] // factor
    small = rgb.reshape(n, factor, n, factor, 3).mean(axis=(1, 3))
    return (np.clip(small, 0, 1) * 255 + 0.5).astype(np.uint8)


# --- cobbles ---------------------------------------------------------------------------

COBBLE_INKS = palette("#8D8478 #A39580 #B59B74 #7B7368 #9C8A6E #C0AB87 #8A7A66 #A68A62 #6F675E #B3A48F")
MORTAR = np.array([0.24, 0.21, 0.18], np.float32)


def _voronoi_edges(rng: np.random.Generator, y: np.ndarray, x: np.ndarray, cell: float, cells: int):
    """Jittered-grid Voronoi cells: each pixel's cell id and its soft distance to the cell's edge."""
    pad = 2
    span = cells + 2 * pad
    grid_j, grid_i = np.divmod(np.arange(span * span), span)
    points_y = ((grid_j - pad + rng.uniform(0.1, 0.9, span * span)) * cell).astype(np.float32)
    points_x = ((grid_i - pad + rng.uniform(0.1, 0.9, span * span)) * cell).astype(np.float32)
    cy = np.clip(np.floor(y / cell), 1 - pad, cells + pad - 2).astype(np.int32)
    cx = np.clip(np.floor(x / cell), 1 - pad, cells + pad - 2).astype(np.int32)
    home = (cy + pad) * span + cx + pad
    offsets = [dj * span + di for dj in (-1, 0, 1) for di in (-1, 0, 1)]
    best = np.full(y.shape, np.inf, np.float32)
    ident = np.zeros(y.shape, np.int32)
    for offset in offsets:
        pid = home + offset
        d2 = (y - points_y.take(pid)) ** 2 + (x - points_x.take(pid)) ** 2
        closer = d2 < best
        best, ident = np.where(closer, d2, best), np.where(closer, pid, ident)
    near_y, near_x = points_y.take(ident), points_x.take(ident)
    soft, smooth = np.zeros_like(y), np.float32(0.1 * cell)
    for offset in offsets:  # distance to each bisector with a neighbour, soft-minimised: rounded corners
        pid = home + offset
        py, px = points_y.take(pid), points_x.take(pid)
        gap = np.sqrt((py - near_y) ** 2 + (px - near_x) ** 2)
        edge = ((y - py) ** 2 + (x - px) ** 2 - best) / np.maximum(2 * gap, 1e-6)
        soft += np.where(pid == ident, 0, np.exp(-np.minimum(edge, 8 * smooth) / smooth))
    return ident, -smooth * np.log(np.maximum(soft, 1e-30))


def cobbles(rng: np.random.Generator, side: int) -> np.ndarray:
    """Cobblestones: irregular rounded stones in warm greys and ochres, set in dark mortar."""
    n, cells = side * SUPERSAMPLE, 9
    cell = n / cells
    y, x = _grid(n)
    y, x = y + 0.38 * cell * _fbm(rng, n, 3, 3), x + 0.38 * cell * _fbm(rng, n, 3, 3)
    ident, edge = _voronoi_edges(rng, y, x, cell, cells)
    mortar, bevel = 0.05 * cell, 0.42 * cell
    t = np.clip((edge - mortar) / bevel, 0, 1)
    height = bevel * 0.5 * (1 - (1 - t) ** 2) + 0.06 * cell * _fbm(rng, n, 20, 3)
    colour = _colours(rng, ((cells + 4) ** 2,), COBBLE_INKS, 0.14)[ident]
    colour = colour * (1 + 0.15 * _fbm(rng, n, 8, 4))[..., None]
    stone = colour * (_lambert(height) * (0.72 + 0.28 * t))[..., None]
    grit = MORTAR * (0.75 + 0.25 * _smoothstep(0, mortar, edge) + 0.2 * _noise(rng, n, n / 3))[..., None]
    cover = _smoothstep(mortar - 0.6 * SUPERSAMPLE, mortar + 0.6 * SUPERSAMPLE, edge)[..., None]
    return _finish(cover * stone + (1 - cover) * grit, SUPERSAMPLE)


# --- marble ----------------------------------------------------------------------------

# ground, cloud, halo, vein
MARBLE_PALETTES = [
    palette("#EEEAE2 #D3CFC8 #B4B0AB #57524F"),  # carrara: cream and grey
    palette("#F3EDE1 #E2D8C4 #CDBB9B #7C6547"),  # calacatta: warm cream, golden-grey veins
    palette("#E8E6E3 #C9CCCF #9DA3A8 #3E4449"),  # bardiglio-light: cool grey veins
]


def _turbulence(rng: np.random.Generator, n: int, cells: float, octaves: int) -> np.ndarray:
    """Perlin's turbulence: octaves of ``|noise|``, creased where the noise crosses zero; mean about 0.8."""
    total = sum(0.5**k * np.abs(_noise(rng, n, cells * 2**k)) for k in range(octaves))
    return total / np.float32(2 - 0.5 ** (octaves - 1))


def _phase(
    rng: np.random.Generator, n: int, cycles: float, turbulence: float, cells: float, octaves: int = 6
) -> np.ndarray:
    """A ramp in a random direction, ``cycles`` periods of 2 pi a side, warped by turbulence."""
    y, x = _grid(n)
    angle = rng.uniform(0, np.pi)
    ramp = (x * np.cos(angle) + y * np.sin(angle)) / n
    return 2 * np.pi * (cycles * ramp + rng.random()) + turbulence * _turbulence(rng, n, cells, octaves)


def _vein_distance(phase: np.ndarray) -> np.ndarray:
    """Distance, as a fraction of the side, to the lines where ``sin(phase)`` is 0 (first order)."""
    dy, dx = np.gradient(phase)
    return np.abs(np.sin(phase)) / (np.sqrt(dx * dx + dy * dy) * phase.shape[0] + 1e-6)


def marble(rng: np.random.Generator, side: int) -> np.ndarray:
    """Marble: cream stone with soft grey clouds and smoke, crossed by dark branching veins."""
    ground, cloud, halo, vein = (np.array(c, np.float32) / 255 for c in pick(rng, MARBLE_PALETTES))
    n = side * SUPERSAMPLE
    smoke = 1 - np.abs(np.sin(_phase(rng, n, 2.0, 6.3, 1.5))) ** 0.2
    clouds = _smoothstep(-0.7, 0.95, _fbm(rng, n, 2.5, 5, gain=0.6))
    colour = ground + (cloud - ground) * (0.5 * clouds)[..., None]
    colour = colour + (halo - colour) * (0.75 * smoke)[..., None]
    for cycles, thin, darkness in ((2.5, 0.0032, 0.9), (4.0, 0.0018, 0.5)):  # veins, then finer ones
        distance = _vein_distance(_phase(rng, n, cycles, 7.3, 1.2, octaves=4))
        strength = _smoothstep(-0.43, 0.52, _fbm(rng, n, 2.5, 3))  # a vein fades in and out along its way
        width = thin * (0.5 + strength)  # and swells where it is strong
        colour = colour + (halo - colour) * (0.5 * strength * np.exp(-distance / (5 * width)))[..., None]
        colour = colour + (vein - colour) * (darkness * strength * np.exp(-((distance / width) ** 2)))[..., None]
    grain = 0.012 * _noise(rng, n, n / 6)
    return _finish(colour * (1 + grain[..., None]), SUPERSAMPLE)


# --- scales ----------------------------------------------------------------------------

# (hue, saturation, value) of the scales' base colour
SCALE_BASES = [(0.40, 0.62, 0.55), (0.07, 0.70, 0.68), (0.53, 0.55, 0.60), (0.77, 0.45, 0.50)]


def _front_scale(y: np.ndarray, x: np.ndarray, radius: float, step: float) -> tuple[np.ndarray, ...]:
    """Per pixel, the front-most covering scale of offset rows: (row, column, dy, dx) in radii."""
    row0 = np.floor(y / step).astype(np.int64)
    row, col = np.zeros_like(row0), np.zeros_like(row0)
    dy, dx = np.zeros_like(y), np.zeros_like(x)
    for shift in (2, 1, 0, -1):  # back to front: a row in front overlaps the tops of the row below
        j = row0 + shift
        offset = (j % 2) * radius
        i = np.round((x - offset) / (2 * radius)).astype(np.int64)
        sy, sx = (y - j * step) / radius, (x - i * 2 * radius - offset) / radius
        inside = sy * sy + sx * sx < 1
        row, col = np.where(inside, j, row), np.where(inside, i, col)
        dy, dx = np.where(inside, sy, dy), np.where(inside, sx, dx)
    return row, col, dy, dx


def scales(rng: np.random.Generator, side: int) -> np.ndarray:
    """Overlapping fish or dragon scales in offset rows: each scale its own shade, rimmed and lit."""
    n, across = side * SUPERSAMPLE, 11
    radius = n / across / 2
    step = 0.78 * radius
    y, x = _grid(n)
    y, x = y + 0.17 * radius * _fbm(rng, n, 4, 2), x + 0.17 * radius * _fbm(rng, n, 4, 2)
    row, col, dy, dx = _front_scale(y, x, radius, step)
    rows, cols = int(n / step) + 8, across + 8
    hue, sat, val = SCALE_BASES[int(rng.integers(len(SCALE_BASES)))]
    tint = _hsv(
        (hue + rng.normal(0, 0.025, (rows, cols))) % 1,
        np.clip(sat * rng.uniform(0.8, 1.15, (rows, cols)), 0, 1),
        np.clip(val * rng.uniform(0.75, 1.2, (rows, cols)), 0, 1),
    ).astype(np.float32)
    colour = tint[np.clip(row + 3, 0, rows - 1), np.clip(col + 3, 0, cols - 1)]
    d = np.sqrt(dy * dy + dx * dx)
    # the two scales of the row in front: how far this pixel is below their rims (their shadow)
    gap_y = dy + step / radius
    below = np.sqrt(gap_y**2 + np.minimum((dx - 1) ** 2, (dx + 1) ** 2)) - 1
    body = (0.62 + 0.38 * _smoothstep(-0.6, 0.9, dy)) * (1 - 0.55 * np.exp(-np.maximum(below, 0) / 0.14))
    sheen = 0.4 * np.exp(-(dx**2) / 0.06 - (dy - 0.45) ** 2 / 0.1)
    rim = _smoothstep(0.8, 0.97, d)
    shaded = colour * body[..., None] + sheen[..., None] * (0.35 + 0.65 * colour)
    shaded = shaded * (1 - 0.65 * rim[..., None]) * (1 + 0.08 * _noise(rng, n, across * 6))[..., None]
    return _finish(shaded, SUPERSAMPLE)


# --- weave -----------------------------------------------------------------------------

WEAVE_PALETTES = [
    palette("#C99A5B #B7894F #D9B77E #A8783F #CFA66A"),  # wicker
    palette("#8C5A32 #7A4C29 #9E6B3F #6B4024 #A8774A"),  # dark rattan
    palette("#E3D3B0 #D6C29A #EADDBF #CBB68C #DCCBA5"),  # bleached rush
]


def weave(rng: np.random.Generator, side: int) -> np.ndarray:
    """Basket weave: blocks of three flat reeds, over and under, with fibre grain and soft shadows."""
    n, strands, group = side * SUPERSAMPLE, 24, 3
    width = n / strands
    y, x = _grid(n)
    y, x = y + 0.15 * width * _fbm(rng, n, 3, 2), x + 0.15 * width * _fbm(rng, n, 3, 2)
    a, b = np.floor(y / width).astype(np.int64), np.floor(x / width).astype(np.int64)
    on_top = (a // group + b // group) % 2 == 0  # a horizontal reed lies on top here
    across = np.where(on_top, y / width - a, x / width - b)
    along = np.where(on_top, x, y) / (width * group) % 1
    inks = pick(rng, WEAVE_PALETTES)
    reeds = _colours(rng, (2, strands + 2), inks, 0.1)
    colour = np.where(on_top[..., None], reeds[0, np.clip(a, 0, strands + 1)], reeds[1, np.clip(b, 0, strands + 1)])
    grain = np.where(on_top, _noise(rng, n, strands * 5, strands / 3), _noise(rng, n, strands / 3, strands * 5))
    profile = np.sqrt(np.clip(1 - (2 * across - 1) ** 2, 0, 1))
    ends = np.sin(np.pi * along) ** 0.5  # a reed dips under its neighbours at the ends of its block
    gap = _smoothstep(0.0, 0.1, across) * _smoothstep(0.0, 0.1, 1 - across)
    shade = (0.45 + 0.55 * profile) * (0.5 + 0.5 * ends) * (1 + 0.19 * grain) * (0.25 + 0.75 * gap)
    return _finish(colour * shade[..., None], SUPERSAMPLE)


#: The built-in textures, by name; the first is the default.
TEXTURES: dict[str, TextureFn] = {"cobbles": cobbles, "marble": marble, "scales": scales, "weave": weave}


def draw(name: str, side: int, rng: np.random.Generator) -> np.ndarray:
    """Draw the built-in texture ``name`` as a ``(side, side, 3)`` uint8 RGB picture."""
    return TEXTURES[name](rng, side)
