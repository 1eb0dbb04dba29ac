"""Finishing touches: ``vignette``, ``grain`` and ``sharpen``."""

from __future__ import annotations

import torch
from torch import Tensor

from .base import StylizerModule, checked
from .ops import auto_scale, gaussian_blur, luma, normal_noise, seeded_generator

__all__ = ["vignette", "grain", "sharpen", "Vignette", "Grain", "Sharpen"]


def vignette(images: Tensor, *, strength: float = 0.5, radius: float = 0.6, softness: float = 0.6) -> Tensor:
    """Darken the corners of ``(B, C, H, W)`` images in [0, 1]; same shape out.

    The distance from the centre is measured on an ellipse fitted to the frame (0 at the centre,
    1 in the corners); darkening starts at ``radius``, ramps smoothly over ``softness`` and
    reaches ``strength`` (a fraction of the brightness) at the far end.
    """
    images = checked("vignette", images, strength=strength, radius=radius, softness=softness)
    h, w = images.shape[-2:]
    ys = torch.linspace(-1, 1, h, dtype=images.dtype, device=images.device).view(h, 1)
    xs = torch.linspace(-1, 1, w, dtype=images.dtype, device=images.device).view(1, w)
    distance = (xs * xs + ys * ys).sqrt() / 2**0.5
    t = ((distance - radius) / softness).clamp(0, 1)
    falloff = t * t * (3 - 2 * t)  # smoothstep
    return images * (1 - strength * falloff)


def grain(images: Tensor, *, amount: float = 0.08, size: float = 0.0, color: bool = False, seed: int = 0) -> Tensor:
    """Add film grain to ``(B, C, H, W)`` images in [0, 1]; same shape out, clamped to [0, 1].

    Gaussian noise blurred to ``size`` pixels (0, auto: 1 px per 512 px of the shorter side) (then rescaled to unit strength) is added with a
    standard deviation of ``amount``, weighted toward the mid-tones as on film. ``color`` draws
    an independent grain per channel; otherwise all channels share one.
    """
    images = checked("grain", images, amount=amount, size=size, color=color, seed=seed)
    b, c, h, w = images.shape
    size = auto_scale(size, images, 1.0, minimum=0.5)
    noise = normal_noise((b, c if color else 1, h, w), seeded_generator(seed), images)
    if size > 0.5:
        noise = gaussian_blur(noise, (size - 0.5) * 0.8)
        noise = noise / noise.std((1, 2, 3), keepdim=True, correction=0).clamp(min=1e-6)
    midtones = 0.35 + 2.6 * (luma(images) * (1 - luma(images)))  # 1 at mid-grey, 0.35 in black and white
    return (images + amount * midtones * noise).clamp(0, 1)


def sharpen(images: Tensor, *, amount: float = 1.0, radius: float = 1.0, threshold: float = 0.0) -> Tensor:
    """Unsharp mask of ``(B, C, H, W)`` images in [0, 1]; same shape out, clamped to [0, 1].

    Adds ``amount`` times the difference between the image and its Gaussian blur of sigma
    ``radius``; differences smaller than ``threshold`` (noise, skin) are left alone.
    """
    images = checked("sharpen", images, amount=amount, radius=radius, threshold=threshold)
    detail = images - gaussian_blur(images, radius)
    if threshold > 0:
        detail = detail * ((detail.abs() - threshold) / max(threshold, 1e-3)).clamp(0, 1)
    return (images + amount * detail).clamp(0, 1)


class Vignette(StylizerModule, function=vignette):
    """Darken the corners (see :func:`vignette`)."""


class Grain(StylizerModule, function=grain):
    """Film grain (see :func:`grain`)."""


class Sharpen(StylizerModule, function=sharpen):
    """Unsharp mask (see :func:`sharpen`)."""
