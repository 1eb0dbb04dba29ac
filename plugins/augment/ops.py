"""Differentiable augmentation ops for discriminator inputs.

Every op is a pure function ``op(x, generator, **params) -> x`` on a batch ``x`` of shape
``(B, C, H, W)`` in model space ([-1, 1]); it returns a tensor of the same shape, dtype and
device, and is differentiable with respect to ``x`` (so gradients reach the generator).
Random parameters are drawn per sample on ``x.device`` from ``generator`` (``None``: torch's
global generator for that device). Ops that call kornia convert to [0, 1] and back, since
kornia expects [0, 1] images.

The DiffAugment ops (``color``, ``translation``, ``cutout``) follow Zhao et al. 2020 and, like
the reference code, work directly in model space; ``color`` and ``noise`` may leave [-1, 1]
(as DiffAugment does: clamping would cut the gradient), the others keep values in range.

The registry builds an op with its declared parameters through the ``*_op`` factories, which
return ``fn(x, generator) -> x``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from ganvas.training.augment import Op

__all__ = ["Op", "color", "translation", "cutout", "flip", "rotate90", "hue", "affine", "noise"]

#: An op with its parameters bound: ``(x, generator) -> x``.


def _uniform(n: int, low: float, high: float, x: Tensor, generator: torch.Generator | None) -> Tensor:
    """``(n, 1, 1, 1)`` samples of U(low, high) in ``x``'s dtype and device."""
    u = torch.rand(n, 1, 1, 1, device=x.device, dtype=x.dtype, generator=generator)
    return u * (high - low) + low


def color(
    x: Tensor,
    generator: torch.Generator | None = None,
    *,
    brightness: float = 0.5,
    saturation: float = 1.0,
    contrast: float = 0.5,
) -> Tensor:
    """DiffAugment colour: brightness ``+U(-b, b)``, saturation ``×U(1-s, 1+s)``, contrast ``×U(1-c, 1+c)``.

    Defaults give the paper's +U(-0.5, 0.5), ×U(0, 2), ×U(0.5, 1.5). ``(B, C, H, W)`` in [-1, 1]
    (output may leave the range, as in DiffAugment).
    """
    b = len(x)
    x = x + _uniform(b, -brightness, brightness, x, generator)
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * _uniform(b, 1 - saturation, 1 + saturation, x, generator) + mean
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * _uniform(b, 1 - contrast, 1 + contrast, x, generator) + mean


def translation(x: Tensor, generator: torch.Generator | None = None, *, ratio: float = 0.125) -> Tensor:
    """Shift each image by up to ``ratio`` of its size in x and y, filling with zeros (mid-grey).

    ``(B, C, H, W)`` in [-1, 1] -> same shape, values in the input's range or 0.
    """
    b, _, h, w = x.shape
    sx, sy = int(h * ratio + 0.5), int(w * ratio + 0.5)
    if sx == 0 and sy == 0:
        return x
    dev = x.device
    tx = torch.randint(-sx, sx + 1, (b, 1, 1), device=dev, generator=generator)
    ty = torch.randint(-sy, sy + 1, (b, 1, 1), device=dev, generator=generator)
    gb, gx, gy = torch.meshgrid(
        torch.arange(b, device=dev), torch.arange(h, device=dev), torch.arange(w, device=dev), indexing="ij"
    )
    gx = torch.clamp(gx + tx + 1, 0, h + 1)
    gy = torch.clamp(gy + ty + 1, 0, w + 1)
    padded = F.pad(x, [1, 1, 1, 1])
    return padded.permute(0, 2, 3, 1)[gb, gx, gy].permute(0, 3, 1, 2)


def cutout(x: Tensor, generator: torch.Generator | None = None, *, ratio: float = 0.5) -> Tensor:
    """Zero (mid-grey) a square of ``ratio`` × the size at a random place in each image (DiffAugment).

    ``(B, C, H, W)`` in [-1, 1] -> same shape and range.
    """
    b, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    if ch == 0 or cw == 0:
        return x
    dev = x.device
    ox = torch.randint(0, h + (1 - ch % 2), (b, 1, 1), device=dev, generator=generator)
    oy = torch.randint(0, w + (1 - cw % 2), (b, 1, 1), device=dev, generator=generator)
    rows = torch.arange(h, device=dev).view(1, h, 1)
    cols = torch.arange(w, device=dev).view(1, 1, w)
    inside_x = (rows >= ox - ch // 2) & (rows < ox - ch // 2 + ch)
    inside_y = (cols >= oy - cw // 2) & (cols < oy - cw // 2 + cw)
    keep = ~(inside_x & inside_y)
    return x * keep.unsqueeze(1).to(x.dtype)


def flip(x: Tensor, generator: torch.Generator | None = None, *, chance: float = 0.5) -> Tensor:
    """Mirror each image left-right with probability ``chance``. Same shape and range."""
    mask = torch.rand(len(x), 1, 1, 1, device=x.device, generator=generator) < chance
    return torch.where(mask, x.flip(3), x)


def rotate90(x: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Rotate each image by a random multiple of 90° (only 0°/180° for non-square images)."""
    b, _, h, w = x.shape
    square = h == w
    k = torch.randint(0, 4 if square else 2, (b, 1, 1, 1), device=x.device, generator=generator)
    if not square:
        k = k * 2
    out = torch.where(k == 1, torch.rot90(x, 1, (2, 3)), x) if square else x
    out = torch.where(k == 2, torch.rot90(x, 2, (2, 3)), out)
    if square:
        out = torch.where(k == 3, torch.rot90(x, 3, (2, 3)), out)
    return out


def hue(x: Tensor, generator: torch.Generator | None = None, *, amount: float = 0.1) -> Tensor:
    """Rotate the hue of RGB images by up to ``amount`` × 180° (kornia ``adjust_hue``).

    ``(B, 3, H, W)`` in [-1, 1] -> same; other channel counts are returned unchanged.
    """
    if x.shape[1] != 3 or amount == 0:
        return x
    import kornia.enhance

    angle = _uniform(len(x), -amount * math.pi, amount * math.pi, x, generator).view(-1)
    x01 = (x + 1) * 0.5
    return kornia.enhance.adjust_hue(x01, angle) * 2 - 1


def affine(
    x: Tensor,
    generator: torch.Generator | None = None,
    *,
    degrees: float = 15.0,
    scale: float = 0.1,
    translate: float = 0.1,
) -> Tensor:
    """A random rotation (±``degrees``), isotropic zoom (×U(1-s, 1+s)) and shift (±``translate`` of the size).

    Uses kornia ``warp_affine`` on [0, 1] images with reflection padding (ADA's choice: no
    black borders for D to key on). ``(B, C, H, W)`` in [-1, 1] -> same shape and range.
    """
    import kornia.geometry.transform as KT

    b, _, h, w = x.shape
    dev, dt = x.device, x.dtype
    angle = (torch.rand(b, device=dev, dtype=dt, generator=generator) * 2 - 1) * degrees
    zoom = 1 + (torch.rand(b, device=dev, dtype=dt, generator=generator) * 2 - 1) * scale
    shift = (torch.rand(b, 2, device=dev, dtype=dt, generator=generator) * 2 - 1) * translate
    shift = shift * torch.tensor([w, h], device=dev, dtype=dt)
    center = torch.tensor([(w - 1) / 2, (h - 1) / 2], device=dev, dtype=dt).expand(b, 2)
    matrix = KT.get_rotation_matrix2d(center, angle, torch.stack([zoom, zoom], dim=1))
    matrix = torch.cat([matrix[:, :, :2], matrix[:, :, 2:] + shift.unsqueeze(-1)], dim=2)
    x01 = (x + 1) * 0.5
    out = KT.warp_affine(x01, matrix, (h, w), mode="bilinear", padding_mode="reflection", align_corners=True)
    return out * 2 - 1


def noise(x: Tensor, generator: torch.Generator | None = None, *, std: float = 0.1) -> Tensor:
    """Additive Gaussian noise with a per-image sigma ~ |N(0, std)| (ADA). May leave [-1, 1]."""
    sigma = torch.randn(len(x), 1, 1, 1, device=x.device, dtype=x.dtype, generator=generator).abs() * std
    return x + torch.randn(x.shape, device=x.device, dtype=x.dtype, generator=generator) * sigma


def _factory(fn: Callable[..., Tensor]) -> Callable[..., Op]:
    """A registry factory: ``factory(**params)`` binds the parameters and returns ``op(x, generator)``."""

    def build(**params: Any) -> Op:
        return functools.partial(fn, **params)

    build.__doc__ = fn.__doc__
    build.__name__ = f"{fn.__name__}_op"
    return build


color_op = _factory(color)
translation_op = _factory(translation)
cutout_op = _factory(cutout)
flip_op = _factory(flip)
rotate90_op = _factory(rotate90)
hue_op = _factory(hue)
affine_op = _factory(affine)
noise_op = _factory(noise)
