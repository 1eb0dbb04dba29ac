"""Running an image-to-image network on pictures larger than memory allows: overlapping tiles,
feathered together so no seam shows.

A fully convolutional network's output near a tile's edge differs from what it gives inside a
whole picture (it sees padding there), so tiles overlap by ``overlap`` pixels and each output
pixel is a weighted mean of the tiles covering it, with weights that are zero within
``overlap // 4`` px of a tile's inner edges and rise linearly over the middle of the overlap
(never at the picture's own border). A network that sees no further than ``overlap // 4`` px
from a pixel (and treats every position alike) gives what it gives on the whole picture.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

__all__ = ["tiled", "tile_starts", "ensembled", "DEFAULT_TILE", "DEFAULT_OVERLAP"]

#: Tile side, px: about 0.3 GB of activations for a 32-wide U-Net on a CPU.
DEFAULT_TILE = 512
#: Overlap between neighbouring tiles, px: the blend is exact for a network that sees up to a
#: quarter of it (12 px) from a pixel, and feathers what one that sees farther gives.
DEFAULT_OVERLAP = 48


def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets of tiles of ``tile`` px covering ``length`` px with at least ``overlap`` px in common."""
    if length <= tile:
        return [0]
    stride = tile - overlap
    starts = list(range(0, length - tile, stride))
    return starts + [length - tile]


def _ramp(size: int, overlap: int, start: bool, end: bool) -> Tensor:
    """Weights along one side of a tile: zero for ``overlap // 4`` px at an inner start, then a
    ramp up over the middle half of the overlap (mirrored at an inner end). Neighbouring tiles
    overlap by at least ``overlap`` px, so every pixel has a tile whose weight there is positive."""
    position = torch.arange(size, dtype=torch.float32) + 0.5
    weight = torch.ones(size)
    if overlap > 0:
        margin = overlap // 4
        span = max(1, overlap - 2 * margin)
        if start:
            weight = torch.minimum(weight, ((position - margin) / span).clamp(0, 1))
        if end:
            weight = torch.minimum(weight, ((size - position - margin) / span).clamp(0, 1))
    return weight


@torch.no_grad()
def tiled(
    fn: Callable[[Tensor], Tensor],
    images: Tensor,
    *,
    tile: int = DEFAULT_TILE,
    overlap: int = DEFAULT_OVERLAP,
    out_channels: int | None = None,
) -> Tensor:
    """``fn`` over ``(B, C, H, W)`` ``images`` in tiles of at most ``tile`` px a side; ``fn``
    keeps the size (``(B, C', h, w)`` out for ``(B, C, h, w)`` in). A picture no larger than a
    tile goes through whole, exactly as ``fn(images)``."""
    b, _, h, w = images.shape
    if h <= tile and w <= tile:
        return fn(images)
    overlap = min(overlap, tile // 2)
    rows, cols = tile_starts(h, tile, overlap), tile_starts(w, tile, overlap)
    out: Tensor | None = None
    total = torch.zeros(1, 1, h, w, device=images.device)
    for top in rows:
        for left in cols:
            th, tw = min(tile, h), min(tile, w)
            part = fn(images[..., top : top + th, left : left + tw])
            if out is None:
                out = torch.zeros(b, out_channels or part.shape[1], h, w, device=images.device, dtype=part.dtype)
            wy = _ramp(th, overlap, top > 0, top + th < h).to(images.device)
            wx = _ramp(tw, overlap, left > 0, left + tw < w).to(images.device)
            weight = (wy[:, None] * wx[None, :])[None, None]
            out[..., top : top + th, left : left + tw] += part * weight
            total[..., top : top + th, left : left + tw] += weight
    assert out is not None
    return out / total


#: How many transforms :func:`ensembled` takes: 1 (none), 4 (flips) or 8 (flips and transposes).
ENSEMBLES = (1, 4, 8)


@torch.no_grad()
def ensembled(fn: Callable[[Tensor], Tensor], images: Tensor, count: int = 1) -> Tensor:
    """The mean of ``fn`` over ``count`` flips and transposes of ``images`` (each result turned
    back): the self-ensemble of EDSR (Lim et al. 2017), for a network that keeps the size. It
    cancels some of a network's direction-dependent errors, for ``count`` times the work; 1 is
    ``fn(images)`` itself."""
    if count not in ENSEMBLES:
        raise ValueError(f"ensemble of {count}: give one of {ENSEMBLES}")
    total: Tensor | None = None
    for k in range(count):
        transpose, flips = k >= 4, [d for d, bit in ((-1, 1), (-2, 2)) if k % 4 & bit]
        x = images.transpose(-1, -2) if transpose else images
        x = x.flip(flips) if flips else x
        y = fn(x.contiguous())
        y = y.flip(flips) if flips else y
        y = y.transpose(-1, -2) if transpose else y
        total = y if total is None else total + y
    assert total is not None
    return total / count
