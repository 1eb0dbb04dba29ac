"""Tensor building blocks shared by the stylizers: luma, Lab, blurs, noise and resizing.

Every function takes and returns ``(B, C, H, W)`` float tensors; images are in [0, 1] unless
said otherwise. Borders are handled by replicating edge pixels, so any size works, down to 1x1.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = [
    "luma",
    "rgb_to_lab",
    "lab_to_rgb",
    "to_lab",
    "from_lab",
    "window_means",
    "gaussian_blur",
    "sobel_magnitude",
    "seeded_generator",
    "normal_noise",
    "smooth_noise",
    "pixel_grid",
    "resize",
    "REFERENCE_SIDE",
    "auto_scale",
]

_LUMA = (0.299, 0.587, 0.114)  # ITU-R 601, as Pillow's convert("L")


def luma(images: Tensor) -> Tensor:
    """``(B, C, H, W)`` -> ``(B, 1, H, W)`` brightness; a grayscale image is returned as is."""
    if images.shape[1] == 1:
        return images
    r, g, b = images.unbind(1)
    return (_LUMA[0] * r + _LUMA[1] * g + _LUMA[2] * b).unsqueeze(1)


# -- CIE Lab (D65) -------------------------------------------------------------------------------

_RGB_TO_XYZ = torch.tensor(
    [[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]]
)
_WHITE = torch.tensor([0.950456, 1.0, 1.088754])
_EPS = 0.008856  # (6/29)^3
_KAPPA = 7.787  # (29/6)^2 / 3


def _channel_mix(matrix: Tensor, images: Tensor) -> Tensor:
    return torch.einsum("ij,bjhw->bihw", matrix.to(images), images)


def rgb_to_lab(images: Tensor) -> Tensor:
    """sRGB ``(B, 3, H, W)`` in [0, 1] -> CIE Lab: L in [0, 100], a and b about [-128, 127]."""
    x = images.clamp(0, 1)
    linear = torch.where(x > 0.04045, ((x + 0.055) / 1.055).pow(2.4), x / 12.92)
    xyz = _channel_mix(_RGB_TO_XYZ / _WHITE[:, None], linear)
    f = torch.where(xyz > _EPS, xyz.clamp(min=_EPS).pow(1 / 3), _KAPPA * xyz + 16 / 116)
    fx, fy, fz = f.unbind(1)
    return torch.stack((116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)), 1)


def lab_to_rgb(lab: Tensor) -> Tensor:
    """CIE Lab ``(B, 3, H, W)`` -> sRGB in [0, 1] (out-of-gamut colours are clipped)."""
    L, a, b = lab.unbind(1)
    fy = (L + 16) / 116
    f = torch.stack((fy + a / 500, fy, fy - b / 200), 1)
    xyz = torch.where(f > 6 / 29, f.pow(3), (f - 16 / 116) / _KAPPA) * _WHITE.to(lab)[:, None, None]
    linear = _channel_mix(torch.linalg.inv(_RGB_TO_XYZ), xyz).clamp(0, 1)
    return torch.where(linear > 0.0031308, 1.055 * linear.clamp(min=0.0031308).pow(1 / 2.4) - 0.055, 12.92 * linear)


def to_lab(images: Tensor) -> Tensor:
    """Lab for RGB images; for grayscale, the lightness L alone ``(B, 1, H, W)`` in [0, 100]."""
    if images.shape[1] == 3:
        return rgb_to_lab(images)
    return rgb_to_lab(images.expand(-1, 3, -1, -1))[:, :1]


def from_lab(lab: Tensor) -> Tensor:
    """The inverse of :func:`to_lab`: 3-channel Lab to RGB, 1-channel L to gray."""
    if lab.shape[1] == 3:
        return lab_to_rgb(lab)
    zeros = torch.zeros_like(lab)
    return lab_to_rgb(torch.cat((lab, zeros, zeros), 1))[:, :1]


# -- filters -------------------------------------------------------------------------------------


def _box_sum_1d(x: Tensor, size: int, dim: int) -> Tensor:
    """Sums over windows of ``size`` along ``dim`` (a 'valid' filter: the dim shrinks by size-1)."""
    n = x.shape[dim]
    shape = list(x.shape)
    shape[dim] = n + 1
    c = x.new_zeros(shape)  # running sums with a leading zero, so every window is one subtraction
    torch.cumsum(x, dim, out=c.narrow(dim, 1, n))
    return c.narrow(dim, size, n + 1 - size) - c.narrow(dim, 0, n + 1 - size)


def window_means(x: Tensor, size: int) -> Tensor:
    """Means over every ``size`` x ``size`` window of ``x`` ('valid': H and W shrink by size-1)."""
    return _box_sum_1d(_box_sum_1d(x, size, -1), size, -2) / (size * size)


def gaussian_blur(x: Tensor, sigma: float) -> Tensor:
    """Gaussian blur with standard deviation ``sigma`` pixels; same shape out.

    Borders are renormalised (the kernel is cut at the edge and rescaled to sum to 1). Sigmas
    above 6 blur a shrunken copy and enlarge it again: the cost stays flat for big blurs.
    """
    if sigma <= 0:
        return x
    h, w = x.shape[-2:]
    if sigma > 6:
        factor = math.ceil(sigma / 3)
        small = F.interpolate(x, size=(max(1, math.ceil(h / factor)), max(1, math.ceil(w / factor))), mode="area")
        return F.interpolate(gaussian_blur(small, sigma / factor), size=(h, w), mode="bilinear", align_corners=False)
    radius = max(1, math.ceil(3 * sigma))
    t = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
    kernel = torch.exp(-0.5 * (t / sigma) ** 2)
    kernel = kernel / kernel.sum()

    def norm(n: int) -> Tensor:  # the part of the kernel inside the image, at each position
        ones = torch.ones(1, 1, n, dtype=x.dtype, device=x.device)
        return F.conv1d(ones, kernel.view(1, 1, -1), padding=radius).view(n)

    b, c = x.shape[:2]
    if c >= 3 or b * c >= 3:  # channels-last depthwise convolutions: fast when there are channels to vectorise
        flat = x.reshape(1, b * c, h, w) if c < 3 else x
        y = _depthwise(flat, kernel.view(1, 1, 1, -1), (0, radius))
        y = _depthwise(y, kernel.view(1, 1, -1, 1), (radius, 0)).contiguous().view(b, c, h, w)
    else:
        y = _rows_blur(x, kernel)
        y = _rows_blur(y.transpose(-1, -2), kernel).transpose(-1, -2)
    # renormalise where the kernel was cut by the border
    return y / (norm(h).view(h, 1) * norm(w).view(1, w))


def _depthwise(x: Tensor, kernel: Tensor, padding: tuple[int, int]) -> Tensor:
    """Per-channel zero-padded convolution with a thin ``(1, 1, kh, kw)`` kernel.

    Channels-last memory makes oneDNN's depthwise kernel an order of magnitude faster on the CPU.
    """
    c = x.shape[1]
    x = x.contiguous(memory_format=torch.channels_last)
    return F.conv2d(x, kernel.expand(c, 1, -1, -1).contiguous(), padding=padding, groups=c)


def _rows_blur(x: Tensor, kernel: Tensor) -> Tensor:
    """Blur along W of one- or two-channel images: blocks of rows become channels to vectorise over."""
    b, c, h, w = x.shape
    groups = 4
    pad = -h % groups
    x = F.pad(x, (0, 0, 0, pad)) if pad else x
    packed = x.reshape(b, c * groups, (h + pad) // groups, w)
    y = _depthwise(packed, kernel.view(1, 1, 1, -1), (0, kernel.numel() // 2))
    return y.contiguous().view(b, c, h + pad, w)[:, :, :h]


def sobel_magnitude(x: Tensor) -> Tensor:
    """Gradient magnitude ``(B, 1, H, W)`` of a one-channel image (central differences, edges replicated)."""
    padded = F.pad(x, (1, 1, 1, 1), mode="replicate")
    gx = padded[..., 1:-1, 2:] - padded[..., 1:-1, :-2]
    gy = padded[..., 2:, 1:-1] - padded[..., :-2, 1:-1]
    return (gx * gx + gy * gy).sqrt() * 0.5


# -- randomness ----------------------------------------------------------------------------------


def seeded_generator(seed: int) -> torch.Generator:
    """A CPU generator for ``seed``: noise is drawn on the CPU so every device gets the same."""
    return torch.Generator().manual_seed(int(seed))


def normal_noise(shape: tuple[int, ...], generator: torch.Generator, like: Tensor) -> Tensor:
    """Standard normal noise of ``shape`` ``(B, ...)`` on ``like``'s device and dtype.

    One draw from ``generator`` serves every picture of the batch, so a picture's result does
    not depend on what else is in its batch (a folder stylized one by one or all at once match).
    """
    return torch.randn((1, *shape[1:]), generator=generator).to(like).expand(shape)


def smooth_noise(shape: tuple[int, int, int, int], scale: float, generator: torch.Generator, like: Tensor) -> Tensor:
    """Smooth noise with features about ``scale`` pixels across, about unit variance."""
    b, c, h, w = shape
    gh, gw = max(2, math.ceil(h / scale) + 1), max(2, math.ceil(w / scale) + 1)
    coarse = normal_noise((b, c, gh, gw), generator, like)
    return F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=False)


def pixel_grid(h: int, w: int, like: Tensor) -> tuple[Tensor, Tensor]:
    """Pixel-centre coordinates ``y, x`` as ``(1, 1, H, W)`` tensors, on ``like``'s device."""
    ys = torch.arange(h, dtype=like.dtype, device=like.device).view(1, 1, h, 1).expand(1, 1, h, w)
    xs = torch.arange(w, dtype=like.dtype, device=like.device).view(1, 1, 1, w).expand(1, 1, h, w)
    return ys, xs


def resize(x: Tensor, size: tuple[int, int], mode: str = "bicubic") -> Tensor:
    """Resize to ``size = (H, W)``: 'area' to shrink, 'bicubic'/'bilinear'/'nearest' to enlarge."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    if mode == "area":
        return F.interpolate(x, size=size, mode="area")
    if mode == "nearest":
        return F.interpolate(x, size=size, mode="nearest-exact")
    shrinking = size[0] < x.shape[-2] or size[1] < x.shape[-1]
    return F.interpolate(x, size=size, mode=mode, align_corners=False, antialias=shrinking)


# -- sizes that follow the picture ---------------------------------------------------------------

#: The shorter side at which a stylizer's automatic sizes equal their stated pixel values.
REFERENCE_SIDE = 512


def auto_scale(value: float, images: Tensor, at_reference: float, minimum: float = 0.0) -> float:
    """A spatial setting in pixels: ``value`` when given (> 0), else "auto" (0) follows the picture.

    Auto is ``at_reference`` pixels on a picture whose shorter side is :data:`REFERENCE_SIDE`
    (512 px), scaled in proportion to the shorter side, so a picture looks the same at 256 and
    2048 px; it never goes below ``minimum``.
    """
    if value > 0:
        return float(value)
    return max(minimum, at_reference * min(images.shape[-2:]) / REFERENCE_SIDE)
