"""``oil``: painterly smoothing with a Kuwahara filter, plus impasto brush strokes.

The Kuwahara filter replaces each pixel by the mean of the flattest of several windows that
touch it: inside a region it averages (a brush stroke), at an edge it takes the side the pixel
belongs to (so edges stay crisp). Window means and variances come from box filters of the image
and of its squared luma (kornia has no Kuwahara filter; this is the box-blur construction).
Brush strokes are noise smeared along the picture's contours, lit as relief.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from .base import StylizerModule, checked
from .ops import gaussian_blur, luma, normal_noise, pixel_grid, seeded_generator, window_means

__all__ = ["oil", "kuwahara", "Oil"]


def _window_stats(images: Tensor, radius: int) -> tuple[Tensor, Tensor]:
    """Means of the channels and variance of luma over every (r+1)^2 window of the padded image.

    The result is indexed by window corner: window (dy, dx) of pixel (y, x) is at
    ``[..., y + dy, x + dx]`` for offsets 0..r.
    """
    lum = luma(images)
    stack = torch.cat((images, lum, lum * lum), 1)
    padded = F.pad(stack, (radius,) * 4, mode="replicate")
    means = window_means(padded, radius + 1)
    c = images.shape[1]
    variance = (means[:, c + 1 : c + 2] - means[:, c : c + 1].square()).clamp(min=0)
    return means[:, :c], variance


def kuwahara(images: Tensor, radius: int, *, classic: bool = False, sharpness: float = 8.0) -> Tensor:
    """Kuwahara filter of ``(B, C, H, W)`` images in [0, 1]; same shape out.

    ``classic`` picks the flattest of the 4 quadrant windows (blocky strokes). Otherwise the 9
    overlapping windows at offsets 0, r/2 and r are blended with weights ``(v + 1e-4) ** (-q/2)``
    for luma variance ``v`` and ``q = sharpness``: the smooth, generalised filter of Papari et al.
    """
    means, variance = _window_stats(images, radius)
    h, w = images.shape[-2:]
    if classic:
        best_var = best = None
        for dy in (0, radius):
            for dx in (0, radius):
                var, mean = variance[..., dy : dy + h, dx : dx + w], means[..., dy : dy + h, dx : dx + w]
                if best is None or best_var is None:
                    best_var, best = var, mean
                else:
                    flatter = var < best_var
                    best_var, best = torch.where(flatter, var, best_var), torch.where(flatter, mean, best)
        return best if best is not None else images
    # one weight per window corner, so each window's weight and weighted mean are computed once;
    # the sums over the 3 x 3 offsets are separable: three shifted rows, then three shifted columns
    weight = (variance + 1e-4).pow(-sharpness / 2)
    stack = torch.cat((means * weight, weight), 1)
    offsets = sorted({0, radius // 2, radius})
    rows = _shifted_sum(stack, offsets, h, dim=-2)
    total = _shifted_sum(rows, offsets, w, dim=-1)
    c = images.shape[1]
    return total[:, :c] / total[:, c:]


def _shifted_sum(x: Tensor, offsets: list[int], size: int, dim: int) -> Tensor:
    """``sum(x.narrow(dim, o, size) for o in offsets)``, accumulated in place."""
    total = x.narrow(dim, offsets[0], size).clone()
    for o in offsets[1:]:
        total += x.narrow(dim, o, size)
    return total


def oil(
    images: Tensor,
    *,
    radius: int = 4,
    variant: str = "smooth",
    sharpness: float = 8.0,
    relief: float = 1.0,
    seed: int = 0,
) -> Tensor:
    """Oil painting of ``(B, C, H, W)`` images in [0, 1] (C = 1 or 3); same shape out, in [0, 1].

    Args:
        radius: brush radius in pixels (1-32).
        variant: ``classic`` (4 quadrants), ``smooth`` (9 soft-weighted windows) or
            ``multiscale`` (a pass at ``radius``, then a detail pass at half of it).
        sharpness: preference for the flattest window in the smooth variants (0.5-16).
        relief: impasto: brush strokes that follow the picture's contours, lit from the top
            left (0 is flat paint, up to 3).
        seed: seed of the brush-stroke texture.
    """
    images = checked("oil", images, radius=radius, variant=variant, sharpness=sharpness, relief=relief, seed=seed)
    out = kuwahara(images, radius, classic=variant == "classic", sharpness=sharpness)
    if variant == "multiscale" and radius >= 2:
        out = kuwahara(out, max(1, radius // 2), sharpness=sharpness)
    if relief > 0:
        out = _impasto(out, radius, relief, seed)
    return out.clamp(0, 1)


def _impasto(paint: Tensor, radius: int, relief: float, seed: int) -> Tensor:
    """Light the paint from the top left as a height field: its blurred luma plus brush strokes."""
    lum = luma(paint)
    height = gaussian_blur(lum, 1.0).mul_(2).add_(_brush_strokes(lum, radius, seed), alpha=0.08)
    padded = F.pad(height, (1, 1, 1, 1), mode="replicate")
    slope = padded[..., 2:, 2:] - padded[..., :-2, :-2]
    return paint * slope.mul_(0.75 * relief).add_(1)


def _stroke_directions(lum: Tensor, radius: int) -> Tensor:
    """Unit vectors ``(B, 2, H, W)`` along the contours: minor eigenvectors of the structure tensor.

    The tensor is smoothed over about half a brush, so it is computed at half resolution.
    """
    h, w = lum.shape[-2:]
    small = F.avg_pool2d(lum, 2, ceil_mode=True) if min(h, w) >= 32 else lum
    padded = F.pad(small, (1, 1, 1, 1), mode="replicate")
    gx = padded[..., 1:-1, 2:] - padded[..., 1:-1, :-2]
    gy = padded[..., 2:, 1:-1] - padded[..., :-2, 1:-1]
    scale = small.shape[-1] / w
    tensor = gaussian_blur(torch.cat((gx * gx, gy * gy, gx * gy), 1), (radius / 2 + 1) * scale)
    exx, eyy, exy = tensor.unbind(1)
    theta = 0.5 * torch.atan2(2 * exy, exx - eyy)  # the gradient's direction; strokes run across it
    directions = torch.stack((-torch.sin(theta), torch.cos(theta)), 1)
    return F.interpolate(directions, size=(h, w), mode="bilinear", align_corners=False)


def _brush_strokes(lum: Tensor, radius: int, seed: int) -> Tensor:
    """Noise smeared along the contours (a line-integral convolution), zero mean, unit variance.

    The noise is averaged over a straight stroke of about 4 brush radii along the contour.
    """
    b, _, h, w = lum.shape
    directions = _stroke_directions(lum, radius)
    to_unit = torch.tensor([2 / max(w - 1, 1), 2 / max(h - 1, 1)], dtype=lum.dtype, device=lum.device)
    step = directions.permute(0, 2, 3, 1).mul_(to_unit)  # grid_sample's (B, H, W, 2) x-y layout
    ys, xs = pixel_grid(h, w, lum)
    grid = torch.stack((xs[:, 0], ys[:, 0]), -1).mul_(to_unit).sub_(1).expand(b, h, w, 2).clone()
    noise = gaussian_blur(normal_noise((b, 1, h, w), seeded_generator(seed), lum), 0.7)
    length = 2 * radius
    grid.sub_(step, alpha=length)
    total = torch.zeros_like(lum)
    for _ in range(-length, length + 1, 2):
        total += F.grid_sample(noise, grid, mode="bilinear", padding_mode="border", align_corners=True)
        grid.add_(step, alpha=2)
    total -= total.mean((1, 2, 3), keepdim=True)
    return total / total.std((1, 2, 3), keepdim=True, correction=0).clamp(min=1e-6)


class Oil(StylizerModule, function=oil):
    """Oil painting: Kuwahara filter with optional impasto relief (see :func:`oil`)."""
