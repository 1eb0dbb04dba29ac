"""``watercolor``: transparent washes on white paper, pooled edges, blooms and granulation.

After Bousseau et al., "Interactive watercolor rendering with temporal coherence and
abstraction" (NPAR 2006) and Curtis et al., "Computer-generated watercolor" (SIGGRAPH 1997):
the picture is abstracted into flat washes (edge-preserving smoothing) whose borders wobble a
little, then turned into pigment *density* per channel (``-log`` of the colour). Pigment is
transparent, so the result is the paper's colour times ``exp(-density)``: a thinner layer than
the photo (lighter), with the lightest washes thinned out to bare paper. The density pools
inside each wash's border (edge darkening), gathers in the paper's valleys (granulation),
is pushed outwards in soft cauliflower blotches near wash borders (blooms, backruns), and the
paper's tooth shades everything.

Every spatial size follows the picture: it is stated at a 512-px shorter side and scaled with
``min(H, W) / 512``, noise included (finer than a pixel it is drawn larger and averaged down),
so a 2048-px photo looks like a 256-px one enlarged.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from .base import StylizerModule, checked
from .ops import REFERENCE_SIDE, gaussian_blur, luma, resize, seeded_generator, smooth_noise, sobel_magnitude
from .smoothing import edge_preserving

__all__ = ["watercolor", "paper_texture", "wobble_field", "Watercolor", "WOBBLE_SCALE"]

#: The paper's colour (a warm white); grayscale pictures get its luma.
PAPER_RGB = (0.99, 0.98, 0.95)
#: Features of the wobble noise are this many pixels across at a 512-px shorter side.
WOBBLE_SCALE = 24.0
_DENSITY_MAX = 1.8  # the densest pigment layer: exp(-1.8), 1/6 of the light comes back


def _unit(images: Tensor) -> float:
    """Pixels per "512-px pixel": every spatial size inside is a size at 512 px times this."""
    return min(images.shape[-2:]) / REFERENCE_SIDE


def _noise(shape: tuple[int, int, int, int], scale: float, generator: torch.Generator, like: Tensor) -> Tensor:
    """Smooth noise with features ``scale`` px across (std about 0.87), drawn the same at every size.

    The draw depends only on the aspect ratio when ``scale`` follows the picture; features finer
    than 1.5 px are rendered on a finer grid and averaged down, as a shrunken big picture would be.
    """
    b, c, h, w = shape
    k = max(1, math.ceil(1.5 / scale))
    noise = smooth_noise((b, c, h * k, w * k), scale * k, generator, like)
    return resize(noise, (h, w), "area") if k > 1 else noise


def paper_texture(
    shape: tuple[int, int, int, int], generator: torch.Generator, like: Tensor, unit: float = 1.0
) -> tuple[Tensor, Tensor]:
    """The paper: a height field ``(B, 1, H, W)`` (about unit variance; valleys negative) and its
    shading under light from the top left (zero mean, about unit variance).

    Cold-pressed tooth about 1.5 px and 4 px across plus 14-px cockles, times ``unit``. It is
    rendered at 512 px or more and averaged down, so small pictures keep the same mean look.
    """
    b, _, h, w = shape
    k = max(1, math.ceil(1 / unit))
    fine = (b, 1, h * k, w * k)
    height = _noise(fine, 1.5 * unit * k, generator, like) + 0.7 * _noise(fine, 4 * unit * k, generator, like)
    height = height.add_(_noise(fine, 14 * unit * k, generator, like), alpha=0.4).div_(1.1)
    padded = F.pad(height, (1, 1, 1, 1), mode="replicate")
    shading = (padded[..., :-2, :-2] - padded[..., 2:, 2:]).mul_(1.6 / (unit * k) ** 0.5)
    if k > 1:
        height, shading = resize(height, (h, w), "area"), resize(shading, (h, w), "area")
    return height, shading


def wobble_field(shape: tuple[int, int, int, int], pixels: float, generator: torch.Generator, like: Tensor) -> Tensor:
    """A smooth displacement ``(B, 2, H, W)`` (x, y) in pixels whose length is below ``pixels`` everywhere.

    ``pixels`` is the largest displacement at this picture's size; the features of the field are
    :data:`WOBBLE_SCALE` px across at 512 px, scaled with the picture.
    """
    b, _, h, w = shape
    noise = _noise((b, 2, h, w), WOBBLE_SCALE * min(h, w) / REFERENCE_SIDE, generator, like)
    length = noise.square().sum(1, keepdim=True).add_(1).sqrt_()  # |n| / sqrt(1 + |n|^2) < 1
    return noise.div_(length).mul_(pixels)


def _warp(images: Tensor, field: Tensor) -> Tensor:
    """Sample ``images`` at each pixel plus ``field`` (pixels, x then y)."""
    b, _, h, w = images.shape
    ys = torch.linspace(-1, 1, h, dtype=images.dtype, device=images.device).view(1, h, 1).expand(b, h, w)
    xs = torch.linspace(-1, 1, w, dtype=images.dtype, device=images.device).view(1, 1, w).expand(b, h, w)
    grid = torch.stack((xs + field[:, 0] * 2 / max(w - 1, 1), ys + field[:, 1] * 2 / max(h - 1, 1)), -1)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=True)


def _washes(images: Tensor, smoothing: float) -> Tensor:
    """Flat washes: edge-preserving smoothing, at half resolution for larger pictures (washes are soft)."""
    h, w = images.shape[-2:]
    factor = 2 if min(h, w) >= 128 else 1
    small = resize(images, (-(-h // factor), -(-w // factor)), "area") if factor > 1 else images
    washes = edge_preserving(small, sigma_s=smoothing / factor, sigma_r=0.25)
    return resize(washes, (h, w), "bilinear") if factor > 1 else washes


def _density(washes: Tensor) -> Tensor:
    """Pigment density per channel: a thinner layer than the photo's, nothing in the lightest washes.

    The grey density is softly quantised into layers (glazes laid one over another), so the
    washes have borders for the pigment to pool at.
    """
    grey = luma(washes)
    washes = (grey + 1.25 * (washes - grey)).clamp(0, 1)  # pigments are purer than a photo's colours
    density = washes.clamp(min=1 / 64).log_().neg_().mul_(0.75)  # transparent and lighter than the photo
    total = density.mean(1, keepdim=True)
    step = 0.35
    border = ((total / step - 0.5).round() + 0.5) * step  # the nearest border between two layers
    layered = border + 0.5 * step * torch.tanh(10 * (total - border) / step)  # layers at multiples of step
    density = density * (0.5 + 0.5 * layered.clamp(min=0) / total.clamp(min=1e-3))
    density = density * density / (density + 0.2)  # the lightest washes thin out to bare paper
    return torch.tanh(density / _DENSITY_MAX).mul_(_DENSITY_MAX)  # even the darkest wash lets some light back


def _pooling(density: Tensor, unit: float) -> Tensor:
    """Pigment pooled at the wash borders: a band inside the denser wash and a thin line on both sides."""
    width = max(0.7, 4.0 * unit)
    inner = (density - gaussian_blur(density, width)).clamp_(min=0)
    sigma = max(0.7, 1.0 * unit)
    line = sobel_magnitude(gaussian_blur(density.mean(1, keepdim=True), sigma)).mul_(2.5 * sigma)
    return inner.mul_(1.0).add_(line.div_(0.3).clamp_(max=1), alpha=0.15)


def _blooms(density: Tensor, amount: float, unit: float, generator: torch.Generator) -> Tensor:
    """Backruns: where water crept back into a drying mid-tone wash near its border, the pigment
    was pushed outwards: a paler inside ringed by an irregular dark fringe.

    The blotches are level sets of fractal noise; the fringe lies between two levels, so it is
    thin where the noise is steep and wide where it is flat, like a cauliflower's edge.
    """
    shape = (density.shape[0], 1, *density.shape[-2:])
    noise = _noise(shape, 64 * unit, generator, density)
    noise.add_(_noise(shape, 16 * unit, generator, density), alpha=0.5)
    noise.add_(_noise(shape, 5 * unit, generator, density), alpha=0.25)
    inside = noise.sub(0.85).div_(0.2).clamp_(0, 1)  # the pigment fades inwards from the fringe
    fringe = noise.sub_(0.8).div_(0.04).clamp_(0, 1).sub_(inside)  # crisp on the outside
    grey = density.mean(1, keepdim=True)
    sigma = max(0.7, 2 * unit)
    borders = sobel_magnitude(gaussian_blur(grey, sigma)).mul_(5 * sigma).clamp_(max=1)
    wet = grey / (grey + 0.2) * (1.6 - grey).clamp(0, 0.6) / 0.6  # mid washes; the darkest are too thick
    near = gaussian_blur(borders, 20 * unit).mul_(10).clamp_(max=1).mul_(wet)
    return density * (1 + amount * near * (1.2 * fringe - 0.5 * inside)).clamp_(min=0)


def _granulate(density: Tensor, height: Tensor, clouds: Tensor, amount: float) -> Tensor:
    """Pigment settles in the paper's valleys and flocculates in low-frequency clouds."""
    valleys = (-height).clamp(min=0).sub_(0.35)
    return density * (1 + amount * (0.3 * valleys + 0.3 * clouds)).clamp_(min=0)


def watercolor(
    images: Tensor,
    *,
    smoothing: float = 0.0,
    edges: float = 1.0,
    granulation: float = 0.5,
    paper: float = 0.5,
    wobble: float = 1.0,
    blooms: float = 0.5,
    seed: int = 0,
) -> Tensor:
    """Watercolour painting of ``(B, C, H, W)`` images in [0, 1] (C = 1 or 3); same shape out.

    Args:
        smoothing: size of the washes in pixels (spatial sigma of the edge-preserving filter);
            0 (auto) follows the picture: 12 px per 512 px of its shorter side.
        edges: pigment pooling at the wash borders (0-4).
        granulation: pigment settling in the paper's grain and in soft clouds (0-2).
        paper: how much the paper's tooth shows (0-2).
        wobble: the wash borders wander from the shapes by at most this many px per 512 px of
            the shorter side (0-10); nothing moves farther, so faces keep their shape.
        blooms: cauliflower backruns near wash borders: lighter blotches with dark fringes (0-2).
        seed: seed of the paper, granulation, blooms and wobble.
    """
    images = checked(
        "watercolor",
        images,
        smoothing=smoothing,
        edges=edges,
        granulation=granulation,
        paper=paper,
        wobble=wobble,
        blooms=blooms,
        seed=seed,
    )
    b, c, h, w = images.shape
    unit = _unit(images)
    generator = seeded_generator(seed)
    washes = _washes(images, smoothing if smoothing > 0 else max(0.5, 12.0 * unit))
    field = wobble_field((b, 2, h, w), wobble * unit, generator, images)  # drawn always: seeds stay put
    if wobble > 0:
        washes = _warp(washes, field)
    density = _density(washes)
    if edges > 0:
        density = density + edges * _pooling(density, unit)
    height, shading = paper_texture((b, 1, h, w), generator, images, unit)
    clouds = _noise((b, 1, h, w), 25 * unit, generator, images)
    if granulation > 0:
        density = _granulate(density, height, clouds, granulation)
    if blooms > 0:  # the last draw from the generator: the other noise does not depend on it
        density = _blooms(density, blooms, unit, generator)
    tint = torch.tensor(PAPER_RGB, dtype=images.dtype, device=images.device).view(1, 3, 1, 1)
    tint = luma(tint) if c == 1 else tint
    light = tint * (1 + paper * 0.035 * shading)  # light grazing the paper's tooth
    return (light * density.clamp(min=0).neg().exp()).clamp(0, 1)


class Watercolor(StylizerModule, function=watercolor):
    """Watercolour: washes, darkened edges, granulation and paper (see :func:`watercolor`)."""
