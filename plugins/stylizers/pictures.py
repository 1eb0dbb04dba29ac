"""Pictures ganvas draws for benchmarks, the gallery sheet and reference images: no downloads.

``landscape`` is photo-like on purpose (soft gradients, fractal ridges, fine texture and
sensor-like noise), so filters meet the kind of content they meet in photographs.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from .ops import gaussian_blur, seeded_generator

__all__ = ["landscape"]


def _fractal_noise(h: int, w: int, generator: torch.Generator, octaves: int = 6, base: int = 4) -> Tensor:
    """``(1, 1, H, W)`` smooth multi-octave noise, zero mean and unit variance."""
    total = torch.zeros(1, 1, h, w)
    for octave in range(octaves):
        cells = base * 2**octave
        coarse = torch.randn(1, 1, cells + 1, cells + 1, generator=generator)
        total += F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=True) / 1.8**octave
    return (total - total.mean()) / total.std()


def _ridge(w: int, generator: torch.Generator, height: float, roughness: float) -> Tensor:
    """A mountain ridge line: ``(W,)`` heights (fraction of the picture) by 1-D fractal noise."""
    line = torch.zeros(w)
    for octave in range(8):
        cells = 2 * 2**octave
        coarse = torch.randn(1, 1, cells + 1, generator=generator)
        line += F.interpolate(coarse, size=w, mode="linear", align_corners=True).view(w) * roughness / 1.9**octave
    return height + line


def landscape(height: int = 512, width: int | None = None, seed: int = 0, *, hue: float = 0.0) -> Tensor:
    """A photo-like landscape ``(1, 3, H, W)`` in [0, 1]: sky, sun, two mountain ranges, a lake, meadow.

    ``hue`` in [0, 1) rotates the palette (a second picture for reference images).
    """
    width = width or height
    h, w = height, width
    g = seeded_generator(seed)
    ys = torch.linspace(0, 1, h).view(1, 1, h, 1).expand(1, 1, h, w)
    xs = torch.linspace(0, 1, w).view(1, 1, 1, w).expand(1, 1, h, w)

    def colour(rgb: tuple[float, float, float]) -> Tensor:
        return torch.tensor(rgb).view(1, 3, 1, 1)

    sky = colour((0.32, 0.52, 0.85)) * (1 - ys) + colour((0.98, 0.78, 0.55)) * ys
    clouds = (_fractal_noise(h, w, g, base=3) * 0.5 + 0.1).clamp(0, 1) * (1 - ys * 1.6).clamp(0, 1)
    image = sky * (1 - 0.6 * clouds) + 0.6 * clouds * colour((1.0, 0.97, 0.95))
    sun = torch.exp(-(((xs - 0.72) * w / h) ** 2 + (ys - 0.3) ** 2) / 0.004)
    image = image + sun * colour((1.0, 0.85, 0.5))
    texture = _fractal_noise(h, w, g, base=8)
    for level, tint, rough in ((0.42, (0.42, 0.45, 0.62), 0.09), (0.55, (0.2, 0.3, 0.25), 0.06)):
        ridge = _ridge(w, g, level, rough).view(1, 1, 1, w)
        inside = torch.sigmoid((ys - ridge) * h / 1.5)  # anti-aliased edge
        shade = colour(tint) * (1 + 0.25 * texture) * (1 - 0.3 * (ys - ridge).clamp(min=0) * 3)
        image = image * (1 - inside) + shade * inside
    lake_top = 0.7
    lake = torch.sigmoid((ys - lake_top) * h / 1.5) * torch.sigmoid((0.85 - ys - 0.15 * (xs - 0.5).abs()) * h / 3)
    mirrored = image.flip(2)  # the lake reflects what is above it, darker and rippled
    ripple = torch.sin(ys * h / 3 + 0.8 * _fractal_noise(h, w, g, base=16)) * 0.03
    image = image * (1 - lake) + lake * (0.75 * mirrored + ripple) * colour((0.85, 0.92, 1.0))
    meadow = torch.sigmoid((ys - 0.86 + 0.05 * torch.sin(xs * 9)) * h / 2)
    grass = colour((0.26, 0.4, 0.15)) * (1 + 0.25 * _fractal_noise(h, w, g, base=32)) + 0.08 * ys
    image = image * (1 - meadow) + grass * meadow
    noise = gaussian_blur(torch.randn(1, 3, h, w, generator=g), 0.6) * 0.02  # sensor grain
    image = (image + noise).clamp(0, 1)
    if hue:
        image = _rotate_hue(image, hue)
    return image


def _rotate_hue(image: Tensor, turn: float) -> Tensor:
    """Rotate colours around the grey axis by ``turn`` of a full circle."""
    angle = 2 * math.pi * turn
    cos, sin = math.cos(angle), math.sin(angle)
    k = 1 / 3
    s = math.sqrt(k)
    matrix = torch.tensor(
        [
            [cos + (1 - cos) * k, k * (1 - cos) - s * sin, k * (1 - cos) + s * sin],
            [k * (1 - cos) + s * sin, cos + k * (1 - cos), k * (1 - cos) - s * sin],
            [k * (1 - cos) - s * sin, k * (1 - cos) + s * sin, cos + k * (1 - cos)],
        ]
    )
    return torch.einsum("ij,bjhw->bihw", matrix, image).clamp(0, 1)
