"""Colour quantisation: ``posterize`` (k-means in Lab), ``palette`` (a reference's or a preset's
colours) and ``pixel`` (pixel art), with optional ordered dithering.

k-means runs on a random subsample of each image's pixels (k-means++ start, a few Lloyd
steps), so it costs the same for a 64-px sample and a 4k photo; then every pixel takes its
nearest palette colour in Lab, which matches what the eye calls "nearest".
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from ganvas.errors import ParamError

from .base import StylizerModule, checked
from .ops import REFERENCE_SIDE, auto_scale, from_lab, resize, seeded_generator, to_lab
from .references import ReferenceModule

__all__ = [
    "kmeans",
    "palette_of",
    "quantize",
    "posterize",
    "palette",
    "pixel",
    "PRESETS",
    "Posterize",
    "Palette",
    "Pixel",
]

_SAMPLES = 8192  # pixels per image that k-means fits
_ITERATIONS = 12  # Lloyd steps (k-means++ starts close already)

#: Built-in palettes, sRGB hex colours.
PRESETS: dict[str, tuple[str, ...]] = {
    "pico8": (
        "000000",
        "1d2b53",
        "7e2553",
        "008751",
        "ab5236",
        "5f574f",
        "c2c3c7",
        "fff1e8",
        "ff004d",
        "ffa300",
        "ffec27",
        "00e436",
        "29adff",
        "83769c",
        "ff77a8",
        "ffccaa",
    ),
    "gameboy": ("0f380f", "306230", "8bac0f", "9bbc0f"),
    "cga": ("000000", "55ffff", "ff55ff", "ffffff"),
    "sepia": ("2b1d0e", "5a3d1e", "8b6239", "b88d5a", "dcc39a", "f4ead5"),
    "grayscale": ("000000", "444444", "888888", "bbbbbb", "ffffff"),
}


def _bayer(n: int = 8) -> Tensor:
    """The ``n x n`` Bayer threshold matrix, values in (-0.5, 0.5)."""
    matrix = torch.zeros(1, 1, dtype=torch.float64)
    while matrix.shape[0] < n:
        matrix = torch.cat(
            (torch.cat((4 * matrix, 4 * matrix + 2), 1), torch.cat((4 * matrix + 3, 4 * matrix + 1), 1)), 0
        )
    return (matrix + 0.5) / matrix.numel() - 0.5


def _preset_tensor(name: str) -> Tensor:
    colours = [[int(code[i : i + 2], 16) / 255 for i in (0, 2, 4)] for code in PRESETS[name]]
    return torch.tensor(colours).view(1, -1, 3)


def _sample_pixels(lab: Tensor, generator: torch.Generator) -> Tensor:
    """Up to ``_SAMPLES`` random pixels of each image ``(B, N, C)``, at the same positions in every image."""
    b, c = lab.shape[:2]
    flat = lab.flatten(2).transpose(1, 2)  # (B, HW, C)
    if flat.shape[1] <= _SAMPLES:
        return flat
    index = torch.randint(flat.shape[1], (_SAMPLES,), generator=generator).to(lab.device)
    return flat[:, index]


def kmeans(points: Tensor, k: int, generator: torch.Generator, iterations: int = _ITERATIONS) -> Tensor:
    """k-means of ``(B, N, D)`` points, each batch item on its own: ``(B, k, D)`` centres.

    Started with k-means++. The random draws are shared by the batch items (each item's result
    is what it would get alone), so the whole batch runs in the same few tensor operations. A
    centre that loses all its points keeps its place; with fewer distinct points than ``k``
    some centres coincide, which is harmless.
    """
    b, n, d = points.shape
    first = int(torch.randint(n, (1,), generator=generator))
    draws = torch.rand(k, generator=generator).to(points)  # one uniform per further centre
    centres = [points[:, first]]
    nearest = (points - centres[0].unsqueeze(1)).square().sum(-1)  # (B, N)
    for j in range(1, k):
        weights = (nearest + 1e-12).cumsum(-1)  # sample proportionally to the squared distance
        pick = torch.searchsorted(weights, (draws[j] * weights[:, -1:]).contiguous()).clamp(max=n - 1)
        centres.append(points.gather(1, pick.unsqueeze(-1).expand(b, 1, d)).squeeze(1))
        nearest = torch.minimum(nearest, (points - centres[-1].unsqueeze(1)).square().sum(-1))
    centre = torch.stack(centres, 1)  # (B, k, D)
    ones = torch.ones(b, n, 1, dtype=points.dtype, device=points.device)
    for _ in range(iterations):
        labels = torch.cdist(points, centre).argmin(-1).unsqueeze(-1)  # (B, N, 1)
        sums = torch.zeros_like(centre).scatter_add_(1, labels.expand(b, n, d), points)
        counts = torch.zeros(b, k, 1, dtype=points.dtype, device=points.device).scatter_add_(1, labels, ones)
        centre = torch.where(counts > 0, sums / counts.clamp(min=1), centre)
    return centre


def palette_of(images: Tensor, colors: int, seed: int) -> Tensor:
    """``colors`` colours ``(B, colors, C)`` summing up each image (k-means in Lab), as sRGB in [0, 1].

    Every picture gets the k-means it would get alone: its palette does not depend on the batch.
    """
    generator = seeded_generator(seed)
    centres = kmeans(_sample_pixels(to_lab(images), generator), colors, generator)
    return from_lab(centres.transpose(1, 2).unsqueeze(-1)).squeeze(-1).transpose(1, 2).clamp(0, 1)


def quantize(images: Tensor, colours: Tensor, dither: float = 0.0) -> Tensor:
    """Replace each pixel by its nearest colour (in Lab) from ``colours`` ``(B or 1, K, C)`` sRGB.

    ``dither`` > 0 adds an 8x8 Bayer pattern, scaled to the palette's typical spacing, before
    choosing: gradients become patterns of neighbouring colours instead of bands.
    """
    b, c, h, w = images.shape
    colours = colours.to(images).expand(b, -1, -1)
    if dither > 0:
        spacing = _palette_spacing(colours)
        pattern = _bayer().to(images).repeat(-(-h // 8), -(-w // 8))[:h, :w]
        images = (images + dither * spacing.view(b, 1, 1, 1) * pattern).clamp(0, 1)
    lab = to_lab(images).flatten(2).transpose(1, 2)  # (B, HW, C)
    palette_lab = to_lab(colours.transpose(1, 2).unsqueeze(-1)).squeeze(-1).transpose(1, 2)
    labels = torch.cdist(lab, palette_lab).argmin(-1)  # (B, HW)
    picked = colours.gather(1, labels.unsqueeze(-1).expand(b, h * w, c))
    return picked.transpose(1, 2).reshape(b, c, h, w)


def _palette_spacing(colours: Tensor) -> Tensor:
    """Median distance (sRGB units) from each palette colour to its nearest neighbour, per batch item."""
    distance = torch.cdist(colours, colours)
    distance = distance + torch.eye(colours.shape[1], dtype=colours.dtype, device=colours.device) * 1e3
    return distance.amin(-1).median(-1).values.clamp(max=0.5) / colours.shape[-1] ** 0.5


def posterize(images: Tensor, *, colors: int = 8, dither: float = 0.0, seed: int = 0) -> Tensor:
    """Reduce ``(B, C, H, W)`` images in [0, 1] to ``colors`` colours each (k-means in Lab); same shape.

    Args:
        colors: colours per image (2-64).
        dither: ordered-dithering strength, 0 for flat areas (0-1).
        seed: k-means seed.
    """
    images = checked("posterize", images, colors=colors, dither=dither, seed=seed)
    return quantize(images, palette_of(images, colors, seed), dither)


def palette(images: Tensor, colours: Tensor, *, dither: float = 0.0) -> Tensor:
    """Map ``(B, C, H, W)`` images in [0, 1] to the colours ``(K, 3)`` or ``(B, K, 3)`` (sRGB in [0, 1]).

    Use :func:`palette_of` to take colours from a reference image, or ``PRESETS``.
    """
    images = checked("palette", images, dither=dither)
    if colours.ndim == 2:
        colours = colours.unsqueeze(0)
    if colours.ndim != 3 or colours.shape[-1] != 3 or colours.shape[1] == 0:
        raise ParamError(f"palette: expected colours of shape (K, 3) or (B, K, 3), got {tuple(colours.shape)}")
    if images.shape[1] == 1:
        colours = (colours * torch.tensor([0.299, 0.587, 0.114]).to(colours)).sum(-1, keepdim=True)
    return quantize(images, colours, dither)


def pixel(
    images: Tensor, *, block: int = 0, colors: int = 16, preset: str = "", dither: float = 0.0, seed: int = 0
) -> Tensor:
    """Pixel art of ``(B, C, H, W)`` images in [0, 1]; same shape out.

    Each ``block`` x ``block`` square (0, auto: 1/80 of the shorter side) becomes one art pixel (its average colour), the colours are
    reduced to ``colors`` (k-means in Lab, fitted on the full image's pixels so they stay vivid)
    or a ``preset`` palette, then the art is enlarged back with crisp nearest-neighbour pixels.
    """
    images = checked("pixel", images, block=block, colors=colors, preset=preset, dither=dither, seed=seed)
    b, c, h, w = images.shape
    block = max(1, round(auto_scale(block, images, REFERENCE_SIDE / 80)))
    small = resize(images, (max(1, -(-h // block)), max(1, -(-w // block))), "area")
    if preset:
        colours = _preset_tensor(preset).to(images)
        if c == 1:
            colours = (colours * torch.tensor([0.299, 0.587, 0.114]).to(images)).sum(-1, keepdim=True)
    else:
        colours = palette_of(images, colors, seed)
    art = quantize(small, colours, dither)
    big = F.interpolate(art, scale_factor=block, mode="nearest") if block > 1 else art
    return big[..., :h, :w]


class Posterize(StylizerModule, function=posterize):
    """Reduce to N colours by k-means in Lab (see :func:`posterize`)."""


class Pixel(StylizerModule, function=pixel):
    """Pixel art: downscale, palette, nearest-neighbour upscale (see :func:`pixel`)."""


class Palette(ReferenceModule, function=palette):
    """Map to a palette taken from a reference image or a preset (see :func:`palette`)."""

    stylizer = "palette"
    max_side = 512

    def __init__(
        self, reference: str = "", preset: str = "", colors: int = 8, dither: float = 0.0, seed: int = 0
    ) -> None:
        if bool(reference) == bool(preset):
            raise ParamError(
                "palette: give either reference=PATH (an image to take colours from) or preset=NAME "
                f"({', '.join(PRESETS)}), not {'both' if reference else 'neither'}"
            )
        self.preset, self.colors, self.seed = preset, colors, seed
        super().__init__(reference, dither=dither)

    def load(self, reference: str) -> Tensor:
        """The palette ``(1, K, 3)``: the preset's colours, or k-means colours of the reference image."""
        if self.preset:
            return _preset_tensor(self.preset)
        return palette_of(super().load(reference), self.colors, self.seed)

    def extra_arguments(self) -> dict[str, Any]:
        return {"colours": self.reference_image}

    def extra_repr(self) -> str:
        source = f"preset={self.preset!r}" if self.preset else f"reference={self.reference!r}, colors={self.colors}"
        return f"{source}, dither={self.settings['dither']}" + ("" if self.preset else f", seed={self.seed}")
