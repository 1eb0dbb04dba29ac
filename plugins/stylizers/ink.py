"""``ink``: pen drawing: XDoG contour lines plus cross-hatching for the shadows.

Lines follow Winnemöller et al., "XDoG: an eXtended difference-of-Gaussians compendium"
(2012): the difference of two Gaussian blurs of the luma is soft-thresholded, so edges become
dark strokes whose weight follows their contrast. Shadows are drawn with layers of parallel
hatch lines, one more layer (at a new angle) for each step darker, each line wobbling a little
as a hand-drawn one does; the deepest shadows are filled solid, as an inker blacks them in.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from .base import StylizerModule, checked
from .ops import auto_scale, gaussian_blur, luma, pixel_grid, seeded_generator, smooth_noise, sobel_magnitude

__all__ = ["ink", "xdog_lines", "soft_contours", "hatching", "shadow_tone", "solid_fill", "SOLID_TONE", "Ink"]

_HATCH_ANGLES = (45.0, -45.0, 0.0, 90.0)  # degrees, in the order layers are added
_HATCH_TONES = (0.5, 0.3, 0.22, 0.17)  # a layer appears where the (normalised) tone is darker
SOLID_TONE = 0.1  # tones below this (after stretching) are filled solid


def xdog_lines(lum: Tensor, sigma: float, detail: float) -> Tensor:
    """Ink coverage ``(B, 1, H, W)`` in [0, 1] (1 is black) of the contour lines of a luma image."""
    small = gaussian_blur(lum, sigma)
    large = gaussian_blur(lum, 1.6 * sigma)
    dog = small - 0.99 * large  # slightly below 1: flat areas sit just above the threshold
    threshold = -0.004 - 0.03 * (1 - detail)  # more detail: fainter edges cross it
    return torch.tanh((threshold - dog).clamp(min=0) * 150.0)


def soft_contours(lum: Tensor, sigma: float, detail: float) -> Tensor:
    """Ink coverage of thin lines along broad edges: zero crossings of a wide DoG with a steep slope.

    The distance to the zero crossing is about ``|DoG| / |grad DoG|`` pixels; lines are drawn
    within a pixel of it where the slope says the edge is real.
    """
    dog = gaussian_blur(lum, sigma) - gaussian_blur(lum, 1.6 * sigma)
    slope = sobel_magnitude(dog)
    distance = dog.abs() / slope.clamp(min=1e-6)
    needed = (0.016 + 0.024 * (1 - detail)) / sigma  # slope of a real edge; fainter ones with more detail
    strength = ((slope - needed) / needed).clamp(0, 1)
    return (1.2 - distance).clamp(0, 1) * strength


def hatching(tone: Tensor, layers: int, spacing: float, seed: int) -> Tensor:
    """Ink coverage ``(B, 1, H, W)`` of up to ``layers`` hatch layers; darker ``tone`` gets more layers.

    A layer fades in as the tone darkens past its level and its lines thicken with the tone
    (a pen pressed harder), so shading grows smoothly instead of switching on as a screen.
    """
    b, _, h, w = tone.shape
    ys, xs = pixel_grid(h, w, tone)
    generator = seeded_generator(seed)
    coverage = torch.zeros_like(tone)
    for angle, level in zip(_HATCH_ANGLES[:layers], _HATCH_TONES):
        theta = math.radians(angle)
        wobble = smooth_noise((b, 1, h, w), 12 * spacing, generator, tone) * 0.2 * spacing
        across = (xs * math.cos(theta) + ys * math.sin(theta) + wobble) / spacing
        distance = (across - across.round()).abs() * spacing  # pixels to the nearest line's centre
        strength = ((level - tone) / 0.1).clamp(0, 1)  # fades in as the tone darkens past the level
        half_width = 0.3 + strength * 0.07 * spacing  # thin where it starts, bolder in the darker tones
        line = (half_width + 0.5 - distance).clamp(0, 1)  # anti-aliased over about one pixel
        coverage = torch.maximum(coverage, line * strength.sqrt())
    return coverage


def shadow_tone(images: Tensor, lum: Tensor, scale: float) -> Tensor:
    """The tone an ink artist shades by: smoothed luma, with strong colours counted darker.

    A saturated orange has the luma of a light grey, but is drawn as a mid-tone, not left as
    blank paper: ``tone = luma - 0.35 * chroma`` (chroma: max minus min channel).
    """
    if images.shape[1] == 3:
        chroma = images.amax(1, keepdim=True) - images.amin(1, keepdim=True)
        lum = (lum - 0.35 * chroma).clamp(0, 1)
    return gaussian_blur(lum, scale)


def solid_fill(tone: Tensor, level: float = SOLID_TONE) -> Tensor:
    """Ink coverage of the deep shadows: solid black below ``level``, fading out over 0.06 above it."""
    return ((level + 0.06 - tone) / 0.06).clamp(0, 1)


def ink(
    images: Tensor,
    *,
    sigma: float = 0.0,
    detail: float = 0.5,
    hatching: int = 2,
    spacing: float = 0.0,
    color: float = 0.0,
    seed: int = 0,
) -> Tensor:
    """Ink drawing of ``(B, C, H, W)`` images in [0, 1] (C = 1 or 3); same shape out, in [0, 1].

    Contours are XDoG lines; the deep shadows (the darkest tones of the picture, after its
    tones are stretched to the full range) are filled solid black; the mid-tones are hatched.

    Args:
        sigma: line scale in pixels: larger gives bolder, simpler lines (up to 20); 0 (auto)
            follows the picture: 1 px per 512 px of its shorter side, at least 0.5.
        detail: how many faint edges become lines (0-1).
        hatching: hatch layers for the mid-tones, 0 for lines and solid shadows only (0-4).
        spacing: distance between hatch lines in pixels (up to 128); 0 (auto): 5 px per 512 px,
            at least 3.
        color: strength of a watercolour-like colour wash under the ink (0: black on white).
        seed: seed of the hatch lines' wobble.
    """
    images = checked(
        "ink", images, sigma=sigma, detail=detail, hatching=hatching, spacing=spacing, color=color, seed=seed
    )
    sigma = auto_scale(sigma, images, 1.0, minimum=0.5)
    spacing = auto_scale(spacing, images, 5.0, minimum=3.0)
    lum = _stretch(luma(images))
    # fine lines, plus thin lines along soft contours (a blurry GAN sample has no fine edges)
    coverage = torch.maximum(xdog_lines(lum, sigma, detail), soft_contours(lum, 4 * sigma, detail))
    tone = shadow_tone(_stretch_colours(images, lum), lum, max(1.0, spacing / 2))
    coverage = torch.maximum(coverage, solid_fill(tone))
    if hatching > 0:
        coverage = torch.maximum(coverage, _hatch(tone, hatching, spacing, seed))
    paper = torch.ones_like(images)
    if color > 0:
        wash = 1 - 0.75 * (1 - gaussian_blur(images, max(1.0, sigma * 2)))  # light, soft colour
        paper = paper + color * (wash - paper)
    return (paper * (1 - coverage)).clamp(0, 1)


def _stretch_colours(images: Tensor, stretched_luma: Tensor) -> Tensor:
    """The colours with their luma replaced by the stretched one (for the chroma of :func:`shadow_tone`)."""
    return (images - luma(images) + stretched_luma).clamp(0, 1) if images.shape[1] == 3 else stretched_luma


def _stretch(lum: Tensor) -> Tensor:
    """Stretch each image's luma so its 2nd and 98th percentiles become 0 and 1 (dim photos get lines too)."""
    flat = lum.flatten(1)
    if flat.shape[1] > 65536:  # percentiles of a strided subsample are as good and much cheaper
        flat = flat[:, :: flat.shape[1] // 65536]
    lo = torch.quantile(flat, 0.02, dim=1).view(-1, 1, 1, 1)
    hi = torch.quantile(flat, 0.98, dim=1).view(-1, 1, 1, 1)
    return ((lum - lo) / (hi - lo).clamp(min=0.05)).clamp(0, 1)


_hatch = hatching  # the parameter ``hatching`` shadows the function inside ink()


class Ink(StylizerModule, function=ink):
    """Ink drawing: XDoG lines and cross-hatching (see :func:`ink`)."""
