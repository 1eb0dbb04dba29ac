"""How crisp a picture's edges are, and how well a tile wraps: pure image metrics for
``ganvas bench resolution``.

Edges: the Sobel gradient of the luminance (in luminance units per pixel); edge points are the
pixels whose gradient magnitude is in the top 2 % of the image and a local maximum along the
gradient direction (non-maximum suppression, as in Canny's detector); up to 2,000 of them, chosen
with a fixed RNG. At each, the luminance profile across the edge (along the gradient, so it
rises) is sampled bilinearly every 0.25 px over +-``reach`` px (default: a 16th of the image
side); its 10-90 % rise distance between the profile's minimum before the point and maximum
after it, with linear interpolation between samples, is the edge's width. Profiles that rise
less than 0.15 are no edges and are left out. A hard step between two pixels measures 0.8 px (the
bilinear ramp between their centres); a linear ramp of ``w`` px, 0.8 ``w``.

Tiles: the seam error is the mean absolute difference across the wrap (first column against the
last, first row against the last); the interior difference, that between adjacent pixels inside.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = [
    "LUMA",
    "luminance",
    "sobel",
    "edge_points",
    "edge_profiles",
    "rise_widths",
    "edge_profile_widths",
    "edge_strength",
    "seam_error",
    "interior_difference",
    "edge_summary",
]

#: ITU-R BT.601 luma weights (as PIL's "L" conversion).
LUMA = (0.299, 0.587, 0.114)
#: Share of an image's pixels, by gradient magnitude, that can be edge points.
TOP = 0.02
MAX_POINTS = 2000
#: The smallest rise (in luminance) of a profile that counts as an edge.
MIN_RANGE = 0.15
#: Spacing of the samples along a profile, in pixels.
STEP = 0.25


def luminance(images01: Tensor) -> Tensor:
    """Luminance in [0, 1] of pictures in [0, 1]: ``(..., C, H, W)`` -> ``(..., H, W)`` (C is 1 or 3)."""
    if images01.shape[-3] == 1:
        return images01[..., 0, :, :].float()
    weights = torch.tensor(LUMA, dtype=torch.float32, device=images01.device)
    return torch.einsum("...chw,c->...hw", images01.float(), weights)


def sobel(luma: Tensor) -> tuple[Tensor, Tensor]:
    """The gradient ``(gx, gy)`` of an ``(H, W)`` image in units per pixel (the Sobel kernels / 8;
    borders replicated): a ramp rising 1 per pixel gives 1, a hard step of 1 gives 0.5 either side."""
    kx = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], device=luma.device) / 8
    kernels = torch.stack([kx, kx.t()]).unsqueeze(1)  # (2, 1, 3, 3): d/dx, d/dy
    padded = F.pad(luma.float()[None, None], [1, 1, 1, 1], mode="replicate")
    grad = F.conv2d(padded, kernels)[0]
    return grad[0], grad[1]


def _sample(image: Tensor, xy: Tensor) -> Tensor:
    """Bilinear samples of an ``(H, W)`` image at pixel coordinates ``xy`` ``(..., 2)`` (x, y; pixel
    centres at whole numbers; beyond the border: the border value)."""
    height, width = image.shape
    scale = torch.tensor([2.0 / width, 2.0 / height], device=image.device)
    grid = (xy + 0.5) * scale - 1  # grid_sample's align_corners=False coordinates
    flat = grid.reshape(1, -1, 1, 2)
    out = F.grid_sample(image.float()[None, None], flat, mode="bilinear", padding_mode="border", align_corners=False)
    return out.reshape(xy.shape[:-1])


def edge_points(
    luma: Tensor, *, top: float = TOP, max_points: int = MAX_POINTS, seed: int = 0
) -> tuple[Tensor, Tensor, Tensor]:
    """Edge points of an ``(H, W)`` luminance image: ``(xy, direction, magnitude)``, ``(N, 2)``,
    ``(N, 2)`` (unit gradient, pointing uphill) and ``(N,)``; see the module docstring."""
    gx, gy = sobel(luma)
    magnitude = torch.hypot(gx, gy)
    flat = magnitude.flatten()
    rank = min(max(math.ceil((1 - top) * flat.numel()), 1), flat.numel())
    threshold = flat.kthvalue(rank).values
    ys, xs = torch.nonzero((magnitude >= threshold) & (magnitude > 1e-6), as_tuple=True)
    mag = magnitude[ys, xs]
    direction = torch.stack([gx[ys, xs], gy[ys, xs]], dim=-1) / mag[:, None]
    xy = torch.stack([xs, ys], dim=-1).float()
    either_side = torch.stack([_sample(magnitude, xy + direction), _sample(magnitude, xy - direction)], dim=-1)
    keep = (mag[:, None] >= either_side * (1 - 1e-5)).all(dim=-1)  # a ridge of the magnitude (ties: plateaus)
    xy, direction, mag = xy[keep], direction[keep], mag[keep]
    if len(mag) > max_points:
        chosen = torch.randperm(len(mag), generator=torch.Generator().manual_seed(seed))[:max_points]
        xy, direction, mag = xy[chosen.to(xy.device)], direction[chosen.to(xy.device)], mag[chosen.to(xy.device)]
    return xy, direction, mag


def edge_profiles(luma: Tensor, xy: Tensor, direction: Tensor, reach: float, step: float = STEP) -> Tensor:
    """Luminance along ``direction`` through each point, from ``-reach`` to ``+reach`` px every
    ``step`` px: ``(N, K)`` with K odd, the point itself in the middle."""
    half = max(int(reach / step), 1)
    offsets = torch.arange(-half, half + 1, device=luma.device, dtype=torch.float32) * step
    along = xy[:, None, :] + offsets[None, :, None] * direction[:, None, :]
    return _sample(luma, along)


def _first(mask: Tensor) -> Tensor:
    """Index of the first True in each row (the row's length where none)."""
    index = torch.arange(mask.shape[1], device=mask.device).expand_as(mask)
    return torch.where(mask, index, mask.shape[1]).min(dim=1).values


def _crossing(profiles: Tensor, below: Tensor, level: Tensor) -> Tensor:
    """Where each profile crosses ``level`` between sample ``below`` and the next (in samples)."""
    rows = torch.arange(len(profiles), device=profiles.device)
    a, b = profiles[rows, below], profiles[rows, below + 1]
    return below.float() + ((level - a) / (b - a).clamp_min(1e-12)).clamp(0, 1)


def rise_widths(profiles: Tensor, step: float = STEP, min_range: float = MIN_RANGE) -> Tensor:
    """The 10-90 % rise distance (px) of each rising profile ``(N, K)`` (see :func:`edge_profiles`)
    between its minimum up to the middle and its maximum from the middle on; profiles rising less
    than ``min_range`` are dropped."""
    k = profiles.shape[1]
    middle = k // 2
    low = profiles[:, : middle + 1].min(dim=1).values
    high = profiles[:, middle:].max(dim=1).values
    rising = high - low >= min_range
    profiles, low, high = profiles[rising], low[rising], high[rising]
    if not len(profiles):
        return profiles.new_zeros(0)
    level10, level90 = low + 0.1 * (high - low), low + 0.9 * (high - low)
    index = torch.arange(k, device=profiles.device).expand_as(profiles)
    top_a = _first((profiles >= level90[:, None]) & (index >= middle))  # reached 90 % on the way up
    at_10 = torch.where((profiles <= level10[:, None]) & (index < top_a[:, None]), index, -1).max(dim=1).values
    top = _first((profiles >= level90[:, None]) & (index > at_10[:, None]))  # the first 90 % after that
    t10 = _crossing(profiles, at_10.clamp(0, k - 2), level10)
    t90 = _crossing(profiles, (top - 1).clamp(0, k - 2), level90)
    return (t90 - t10) * step


def edge_profile_widths(luma: Tensor, *, reach: float | None = None, seed: int = 0) -> Tensor:
    """Widths in pixels (10-90 % rise) of the edges of an ``(H, W)`` luminance image in [0, 1];
    ``reach`` (default: a 16th of the longer side) is how far each profile extends either side."""
    xy, direction, _ = edge_points(luma, seed=seed)
    reach = max(luma.shape) / 16 if reach is None else reach
    return rise_widths(edge_profiles(luma, xy, direction, reach))


def edge_strength(luma: Tensor, *, seed: int = 0) -> float:
    """Mean gradient magnitude (luminance per pixel) at the edge points of an ``(H, W)`` image; NaN without any."""
    _, _, magnitude = edge_points(luma, seed=seed)
    return float(magnitude.mean()) if len(magnitude) else math.nan


def seam_error(tile: Tensor) -> float:
    """Mean absolute difference across the wrap of a ``(C, H, W)`` picture in [0, 1]: the first
    column against the last and the first row against the last, averaged."""
    columns = (tile[..., :, 0] - tile[..., :, -1]).abs().mean()
    rows = (tile[..., 0, :] - tile[..., -1, :]).abs().mean()
    return float((columns + rows) / 2)


def interior_difference(tile: Tensor) -> float:
    """Mean absolute difference between horizontally and vertically adjacent pixels of a
    ``(C, H, W)`` picture in [0, 1], averaged over the two directions."""
    across = (tile[..., :, 1:] - tile[..., :, :-1]).abs().mean()
    down = (tile[..., 1:, :] - tile[..., :-1, :]).abs().mean()
    return float((across + down) / 2)


def edge_summary(lumas: list[Tensor]) -> dict[str, Any]:
    """Over the edges of several luminance images: the median width (px), the mean of the images'
    mean edge gradients and the number of edge profiles; None for a figure without any edge."""
    widths = torch.cat([edge_profile_widths(luma.cpu()) for luma in lumas])
    strengths = [s for s in (edge_strength(luma.cpu()) for luma in lumas) if math.isfinite(s)]
    return {
        "median_width_px": round(float(widths.median()), 4) if len(widths) else None,
        "mean_gradient": round(statistics.fmean(strengths), 5) if strengths else None,
        "edges": len(widths),
    }
