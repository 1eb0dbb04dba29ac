"""``oil``: painterly smoothing with a Kuwahara filter, strokes along the contours, impasto.

The Kuwahara filter replaces each pixel by the mean of the flattest of several windows that
touch it: inside a region it averages (a brush stroke), at an edge it takes the side the pixel
belongs to (so edges stay crisp). Window means and variances come from box filters of the image
and of its squared luma (kornia has no Kuwahara filter; this is the box-blur construction).

The paint is then pulled along the picture's contours, as in flow-based painting (Kang et al.,
"Flow-based image abstraction", 2009; Kyprianidis et al., "Anisotropic Kuwahara filtering",
2009): a short line-integral convolution follows the minor eigenvectors of the structure tensor,
carrying colour and a bristle texture along curved streamlines, so strokes run along the shapes
and the box windows' stair steps melt. The bristle texture becomes relief lit from the top left,
thick where the photo is textured and thin in flat areas. Every size follows the brush radius,
which itself follows the picture (4 px per 512 px by default).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from .base import StylizerModule, checked
from .ops import auto_scale, gaussian_blur, luma, normal_noise, seeded_generator, smooth_noise, window_means

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
    radius: int = 0,
    variant: str = "multiscale",
    sharpness: float = 8.0,
    strokes: float = 1.0,
    relief: float = 1.0,
    seed: int = 0,
) -> Tensor:
    """Oil painting of ``(B, C, H, W)`` images in [0, 1] (C = 1 or 3); same shape out, in [0, 1].

    Args:
        radius: brush radius in pixels (1-64); 0 (auto) follows the picture: 4 px per 512 px
            of its shorter side. Every other size (strokes, bristles, relief) follows the radius.
        variant: ``classic`` (4 quadrants), ``smooth`` (9 soft-weighted windows) or
            ``multiscale`` (a pass at ``radius``, then a detail pass at half of it).
        sharpness: preference for the flattest window in the smooth variants (0.5-16).
        strokes: length of the strokes that drag the paint along the contours, in units of
            4 brush radii (0 keeps the Kuwahara patches as they are, up to 3).
        relief: impasto: bristle marks along the strokes, lit from the top left, thick where the
            picture is textured and thin in flat areas (0 is flat paint, up to 3).
        seed: seed of the bristle texture.
    """
    images = checked(
        "oil", images, radius=radius, variant=variant, sharpness=sharpness, strokes=strokes, relief=relief, seed=seed
    )
    radius = round(auto_scale(radius, images, 4.0, minimum=1))
    out = kuwahara(images, radius, classic=variant == "classic", sharpness=sharpness)
    if variant == "multiscale" and radius >= 2:
        out = kuwahara(out, max(1, radius // 2), sharpness=sharpness)
    if strokes <= 0 and relief <= 0:
        return out.clamp(0, 1)
    generator = seeded_generator(seed)
    b, _, h, w = images.shape
    bristles = gaussian_blur(normal_noise((b, 1, h, w), generator, images), max(0.5, 0.22 * radius))
    flow = _stroke_directions(luma(out), radius)
    length = strokes if strokes > 0 else 1.0  # the bristle marks still need a stroke to run along
    steps = max(2, math.ceil(3 * length))  # a sample about every 2/3 radius along the stroke
    smeared, bristles = _smear(out, bristles, flow[:, :2], 2 * radius * length, drag=strokes > 0, steps=steps)
    if strokes > 0:  # drag the paint where the picture is clearly oriented, not over eyes and corners
        out = torch.lerp(out, smeared, flow[:, 2:].mul(2).sub_(0.2).clamp_(0, 1))
    if relief > 0:
        out = _impasto(out, images, bristles, radius, relief, generator)
    return out.clamp(0, 1)


def _stroke_directions(lum: Tensor, radius: int) -> Tensor:
    """Unit vectors along the contours (the structure tensor's minor eigenvectors) and how clearly
    the picture is oriented there (its coherence, 0 to 1): ``(B, 3, H, W)``.

    The tensor is smoothed over about a brush radius, plus a little of it over four radii so that
    flat areas follow the nearby shapes; it is computed at half resolution.
    """
    h, w = lum.shape[-2:]
    small = F.avg_pool2d(lum, 2, ceil_mode=True) if min(h, w) >= 32 else lum
    padded = F.pad(small, (1, 1, 1, 1), mode="replicate")
    gx = padded[..., 1:-1, 2:] - padded[..., 1:-1, :-2]
    gy = padded[..., 2:, 1:-1] - padded[..., :-2, 1:-1]
    scale = small.shape[-1] / w
    tensor = torch.cat((gx * gx, gy * gy, gx * gy), 1)
    tensor = gaussian_blur(tensor, (0.75 * radius + 1) * scale) + 0.3 * gaussian_blur(tensor, 4 * radius * scale)
    exx, eyy, exy = tensor.unbind(1)
    calm = 0.15 * (exx + eyy).mean((-2, -1), keepdim=True)  # faint areas get strokes rising to the right
    exx, eyy, exy = exx + calm, eyy + calm, exy + calm
    theta = 0.5 * torch.atan2(2 * exy, exx - eyy)  # the gradient's direction; strokes run across it
    coherence = ((exx - eyy).square() + 4 * exy.square()).sqrt() / (exx + eyy).clamp(min=1e-12)
    directions = torch.stack((-torch.sin(theta), torch.cos(theta), coherence), 1)
    return F.interpolate(directions, size=(h, w), mode="bilinear", align_corners=False)


def _smear(
    paint: Tensor, bristles: Tensor, directions: Tensor, half: float, drag: bool, steps: int = 3
) -> tuple[Tensor, Tensor]:
    """Line-integral convolution of the paint and the bristle noise along curved streamlines.

    From each pixel, ``steps`` steps of ``half / steps`` px are taken each way, each along the
    contour direction found where the previous step landed (flipped to keep going forwards).
    Samples are weighted by a Gaussian in arc length and, for the colour, by their likeness to
    the start, so strokes do not drag paint across an edge they meet at a corner. Bands of rows
    are done one at a time, so the working tensors stay in the cache on big pictures.
    """
    b, c, h, w = paint.shape
    fields = torch.cat((paint, bristles), 1)
    to_unit = torch.tensor([2 / max(w - 1, 1), 2 / max(h - 1, 1)], dtype=paint.dtype, device=paint.device)
    steps_field = directions * (to_unit * (half / steps)).view(1, 2, 1, 1)  # one step, in grid units
    ys = torch.linspace(-1, 1, h, dtype=paint.dtype, device=paint.device).view(1, h, 1).expand(b, h, w)
    xs = torch.linspace(-1, 1, w, dtype=paint.dtype, device=paint.device).view(1, 1, w).expand(b, h, w)
    start = torch.stack((xs, ys), -1)
    band = max(1, 2**18 // max(w * b, 1))
    colour, noise = torch.empty_like(paint), torch.empty_like(bristles)
    for top in range(0, h, band):
        rows = slice(top, top + band)
        colour[:, :, rows], noise[:, :, rows] = _smear_rows(
            fields, steps_field, start[:, rows], fields[:, :, rows], steps_field[:, :, rows], steps, drag
        )
    noise = noise - noise.mean((1, 2, 3), keepdim=True)
    return colour, noise / noise.std((1, 2, 3), keepdim=True, correction=0).clamp(min=1e-6)


def _smear_rows(
    fields: Tensor, steps_field: Tensor, start: Tensor, here: Tensor, first: Tensor, steps: int, drag: bool
) -> tuple[Tensor, Tensor]:
    """:func:`_smear` for a band of rows: the pixels at grid positions ``start`` ``(B, h, W, 2)``,
    whose paint and noise are ``here`` and first steps ``first``; returns their colour and noise."""
    c = fields.shape[1] - 1
    paint = here[:, :c]
    colour, noise = paint.clone(), here[:, c:].clone()
    weights = torch.ones_like(noise)
    for sign in (1.0, -1.0):
        grid, heading = start.clone(), first * sign
        for i in range(1, steps + 1):
            grid.add_(heading.permute(0, 2, 3, 1), alpha=0.5)  # the bristles, finer than a step: every half step
            between = F.grid_sample(fields[:, c:], grid, mode="bilinear", padding_mode="border", align_corners=True)
            noise.add_(between, alpha=math.exp(-(((i - 0.5) / (steps + 0.5)) ** 2)))
            grid.add_(heading.permute(0, 2, 3, 1), alpha=0.5)
            sample = F.grid_sample(fields, grid, mode="bilinear", padding_mode="border", align_corners=True)
            along = math.exp(-((i / (steps + 0.5)) ** 2))
            noise.add_(sample[:, c:], alpha=along)
            if drag:
                alike = (sample[:, :c] - paint).square_().sum(1, keepdim=True).mul_(-1 / 0.25).exp_().mul_(along)
                colour.addcmul_(sample[:, :c], alike)
                weights.add_(alike)
            if i < steps:  # the direction where the step landed (smooth: the nearest pixel's will do)
                turned = F.grid_sample(steps_field, grid, mode="nearest", padding_mode="border", align_corners=True)
                backwards = (turned * heading).sum(1, keepdim=True) < 0
                heading = torch.where(backwards, -turned, turned)  # keep going forwards
    return colour / weights, noise


def _impasto(
    paint: Tensor, photo: Tensor, bristles: Tensor, radius: int, relief: float, generator: torch.Generator
) -> Tensor:
    """Light the paint from the top left as a height field of bristle marks.

    The paint is thick where the photo had texture that the brush simplified away (the photo's
    difference from the paint, over a brush radius) and in the lights, thin in flat areas and
    in the darks, and its load varies from stroke to stroke.
    """
    b, _, h, w = paint.shape
    lum = luma(paint)
    texture = gaussian_blur((luma(photo) - lum).abs_(), float(radius))
    thickness = texture.sub_(0.03).div_(0.03).clamp_(0, 1).mul_(0.85).add_(0.15).mul_(lum.mul(0.4).add_(0.6))
    load = smooth_noise((b, 1, h, w), 4.0 * radius, generator, paint).mul_(0.3).add_(1).clamp_(min=0.3)
    height = bristles * thickness * load
    step = max(1, round(radius / 4))
    padded = F.pad(height, (step,) * 4, mode="replicate")
    slope = padded[..., :h, :w] - padded[..., 2 * step :, 2 * step :]  # rises towards the top-left light
    shade = slope.mul_(0.07 * relief)
    gloss = shade.clamp(min=0).square_().mul_(1.5)  # a sheen on the ridges facing the light
    return paint * (1 + shade) + gloss


class Oil(StylizerModule, function=oil):
    """Oil painting: Kuwahara filter, strokes along the contours and impasto relief (see :func:`oil`)."""
