"""``halftone``: the look of offset print: CMYK dot screens at the classic screen angles.

The image is separated into cyan, magenta, yellow and black ink (black replaces the grey
component of the colours), each ink is screened with round dots on its own rotated grid
(C 15, M 75, Y 0, K 45 degrees, so the screens do not beat into moiré), and the inks are
overprinted on white paper. Dots follow the Euclidean spot function: round in the highlights,
a checkerboard at 50 %, round holes in the shadows.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from .base import StylizerModule, checked
from .ops import REFERENCE_SIDE, auto_scale, gaussian_blur

__all__ = ["halftone", "screen", "SCREEN_ANGLES", "Halftone"]

#: Screen angles in degrees for cyan, magenta, yellow and black.
SCREEN_ANGLES: dict[str, float] = {"cyan": 15.0, "magenta": 75.0, "yellow": 0.0, "black": 45.0}


def _spot(x: Tensor, y: Tensor) -> Tensor:
    """Euclidean dot: low at the cell centre, high at the corners; ``x, y`` in [-1, 1]."""
    ax, ay = x.abs(), y.abs()
    inner = (ax * ax + ay * ay) / 2
    outer = 2 - ((1 - ax) ** 2 + (1 - ay) ** 2) / 2
    return torch.where(ax + ay <= 1, inner, outer)


def _threshold_tile(resolution: int = 64) -> Tensor:
    """``(1, 1, R, R)``: each cell position's rank among the cell's spot values, in [0, 1].

    A pixel is inked when the coverage exceeds its rank, so a coverage of 30 % inks exactly
    30 % of the cell, in the order the spot function gives.
    """
    t = (torch.arange(resolution, dtype=torch.float64) + 0.5) / resolution * 2 - 1
    y, x = torch.meshgrid(t, t, indexing="ij")
    spot = _spot(x, y).flatten()
    rank = torch.empty_like(spot)
    rank[spot.argsort()] = (torch.arange(spot.numel(), dtype=torch.float64) + 0.5) / spot.numel()
    return rank.view(1, 1, resolution, resolution).float()


def screen(coverage: Tensor, cell: float, angle: float) -> Tensor:
    """Screen an ink ``coverage`` ``(B, 1, H, W)`` in [0, 1] into dots; same shape, anti-aliased."""
    b, _, h, w = coverage.shape
    theta = math.radians(angle)
    xs = torch.arange(w, dtype=coverage.dtype, device=coverage.device).view(1, w) / cell
    ys = torch.arange(h, dtype=coverage.dtype, device=coverage.device).view(h, 1) / cell
    u = xs * math.cos(theta) + ys * math.sin(theta)  # cell coordinates on the rotated grid
    v = ys * math.cos(theta) - xs * math.sin(theta)
    position = torch.stack((u - u.floor(), v - v.floor()), -1).mul_(2).sub_(1)  # inside the cell, [-1, 1]
    tile = _threshold_tile().to(coverage)
    rank = F.grid_sample(
        tile, position.unsqueeze(0), mode="bilinear", padding_mode="border", align_corners=False
    )  # (1, 1, H, W)
    # ink where the coverage exceeds the pixel's rank; about one pixel of anti-aliasing
    return ((coverage - rank) * (cell / 2) + 0.5).clamp_(0, 1)


def halftone(images: Tensor, *, cell: float = 0.0, angle: float = 0.0, mono: bool = False) -> Tensor:
    """CMYK halftone of ``(B, C, H, W)`` images in [0, 1] (C = 1 or 3); same shape out, in [0, 1].

    Args:
        cell: dot spacing in pixels (up to 128); 0 (auto) follows the picture: 1/140 of its
            shorter side, at least 2.
        angle: extra rotation of every screen in degrees (-90 to 90).
        mono: a single black screen (always the case for grayscale images).
    """
    images = checked("halftone", images, cell=cell, angle=angle, mono=mono)
    cell = auto_scale(cell, images, REFERENCE_SIDE / 140, minimum=2.0)
    # the dot sizes follow the tone, not the pixel noise; the tone is sharpened first, as for print, so
    # features a cell or two across (eyes, a mouth) keep their contrast through the screen
    smooth = gaussian_blur(images, cell / 4)
    smooth = (smooth + 0.8 * (smooth - gaussian_blur(images, cell))).clamp(0, 1)
    if mono or images.shape[1] == 1:
        grey = (
            smooth
            if images.shape[1] == 1
            else (smooth * smooth.new_tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1, keepdim=True)
        )
        ink = screen(1 - grey, cell, SCREEN_ANGLES["black"] + angle)
        return (1 - ink).expand_as(images[:, :1]).expand(-1, images.shape[1], -1, -1).contiguous()
    black = 1 - smooth.amax(1, keepdim=True)
    cmy = (1 - smooth - black) / (1 - black).clamp(min=1e-4)  # the colour left after black (full GCR)
    names = ("cyan", "magenta", "yellow")
    inks = [screen(cmy[:, i : i + 1], cell, SCREEN_ANGLES[n] + angle) for i, n in enumerate(names)]
    key = screen(black, cell, SCREEN_ANGLES["black"] + angle)
    return (1 - torch.cat(inks, 1)) * (1 - key)


class Halftone(StylizerModule, function=halftone):
    """CMYK halftone dot screens (see :func:`halftone`)."""
