"""``watercolor``: soft washes with darkened edges, pigment granulation and paper texture.

After Bousseau et al., "Interactive watercolor rendering with temporal coherence and
abstraction" (NPAR 2006): the picture is abstracted into flat washes (edge-preserving
smoothing), the wash borders wobble like a hand-held brush, and a pigment *density* map
darkens or lightens the washes, ``C' = C - (C - C^2)(d - 1)``: pigment pools at the edges
of a wash, granulates in the paper's grain and varies in low-frequency turbulence.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .base import StylizerModule, checked
from .ops import gaussian_blur, luma, normal_noise, resize, seeded_generator, smooth_noise, sobel_magnitude
from .smoothing import edge_preserving

__all__ = ["watercolor", "paper_texture", "Watercolor"]


def _washes(images: Tensor, smoothing: float) -> Tensor:
    """Flat washes: edge-preserving smoothing, at half resolution for larger pictures (washes are soft)."""
    h, w = images.shape[-2:]
    factor = 2 if min(h, w) >= 128 else 1
    small = resize(images, (-(-h // factor), -(-w // factor)), "area") if factor > 1 else images
    washes = edge_preserving(small, sigma_s=smoothing / factor, sigma_r=0.25)
    return resize(washes, (h, w), "bilinear") if factor > 1 else washes


def _wobble(images: Tensor, pixels: float, generator: torch.Generator) -> Tensor:
    """Displace the picture by smooth noise about ``pixels`` px: wash borders no longer trace the shapes."""
    b, _, h, w = images.shape
    shift = smooth_noise((b, 2, h, w), max(8.0, min(h, w) / 16), generator, images) * pixels
    ys = torch.linspace(-1, 1, h, dtype=images.dtype, device=images.device).view(1, h, 1).expand(b, h, w)
    xs = torch.linspace(-1, 1, w, dtype=images.dtype, device=images.device).view(1, 1, w).expand(b, h, w)
    grid = torch.stack((xs + shift[:, 0] * 2 / max(w - 1, 1), ys + shift[:, 1] * 2 / max(h - 1, 1)), -1)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=True)


def paper_texture(shape: tuple[int, int, int, int], generator: torch.Generator, like: Tensor) -> Tensor:
    """A paper height field ``(B, 1, H, W)`` with zero mean and unit variance: fine grain plus fibres."""
    b, _, h, w = shape
    grain = gaussian_blur(normal_noise((b, 1, h, w), generator, like), 0.8)
    fibres = gaussian_blur(normal_noise((b, 1, h, w), generator, like), 2.5)
    paper = grain / grain.std(correction=0).clamp(min=1e-6) + 0.7 * fibres / fibres.std(correction=0).clamp(min=1e-6)
    return (paper - paper.mean()) / paper.std(correction=0).clamp(min=1e-6)


def watercolor(
    images: Tensor,
    *,
    smoothing: float = 12.0,
    edges: float = 1.0,
    granulation: float = 0.5,
    paper: float = 0.5,
    wobble: float = 1.0,
    seed: int = 0,
) -> Tensor:
    """Watercolour painting of ``(B, C, H, W)`` images in [0, 1] (C = 1 or 3); same shape out.

    Args:
        smoothing: size of the washes in pixels (spatial sigma of the edge-preserving filter).
        edges: edge darkening where pigment pools at the wash borders (0-4).
        granulation: pigment granulation in the paper grain and low-frequency turbulence (0-2).
        paper: visible paper texture (0-2).
        wobble: displacement of the wash borders in pixels (0-10).
        seed: seed of the paper, turbulence and wobble noise.
    """
    images = checked(
        "watercolor",
        images,
        smoothing=smoothing,
        edges=edges,
        granulation=granulation,
        paper=paper,
        wobble=wobble,
        seed=seed,
    )
    b, c, h, w = images.shape
    generator = seeded_generator(seed)
    washes = _washes(images, smoothing)
    grey = luma(washes)
    washes = (grey + 1.2 * (washes - grey)).clamp(0, 1)  # pigments are purer than a photo's colours
    washes = 1 - 0.85 * (1 - washes)  # transparent pigment on white paper: lighter than the photo
    if wobble > 0:
        washes = _wobble(washes, wobble, generator)
    grain = paper_texture((b, 1, h, w), generator, images)
    turbulence = smooth_noise((b, 1, h, w), max(4.0, min(h, w) / 6), generator, images)
    rims = sobel_magnitude(gaussian_blur(luma(washes), 0.8))
    rims = (rims / 0.04).clamp(max=1)  # a step of 0.08 across a border darkens it fully
    density = 1 + edges * rims + granulation * (0.1 * turbulence + 0.25 * grain)
    pigment = washes - (washes - washes * washes) * (density - 1)
    shading = 1 + paper * 0.04 * grain  # light grazing the paper's tooth
    return (pigment * shading).clamp(0, 1)


class Watercolor(StylizerModule, function=watercolor):
    """Watercolour: washes, darkened edges, granulation and paper (see :func:`watercolor`)."""
