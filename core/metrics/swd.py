"""Laplacian sliced Wasserstein distance (Karras et al., Progressive GAN, 2018). Pure torch.

Protocol: a Laplacian pyramid with a 5×5 binomial filter down to 16 px; from each level 128
random 7×7 patches per image; each channel of the descriptors normalised to zero mean and unit
std (per set); distance = mean over 512 random unit projections of the mean absolute difference
of the sorted projections, ×10³. Reported per level (by resolution) and averaged. Compare a
generated set with real images alongside the real-vs-real value (two disjoint real sets), which
is the floor that finite sampling leaves.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = [
    "laplacian_pyramid",
    "patch_descriptors",
    "normalize_descriptors",
    "sliced_wasserstein",
    "swd",
    "laplacian_swd",
    "swd_report",
]

_BINOMIAL = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0])


def _kernel(channels: int, x: Tensor, gain: float = 1.0) -> Tensor:
    k1 = _BINOMIAL.to(device=x.device, dtype=x.dtype)
    k2 = torch.outer(k1, k1) / 256.0 * gain
    return k2.expand(channels, 1, 5, 5)


def _blur(x: Tensor, gain: float = 1.0) -> Tensor:
    return F.conv2d(F.pad(x, [2, 2, 2, 2], mode="reflect"), _kernel(x.shape[1], x, gain), groups=x.shape[1])


def _down(x: Tensor) -> Tensor:
    return _blur(x)[:, :, ::2, ::2]


def _up(x: Tensor, size: tuple[int, int]) -> Tensor:
    b, c, h, w = x.shape
    up = torch.zeros(b, c, h * 2, w * 2, device=x.device, dtype=x.dtype)
    up[:, :, ::2, ::2] = x
    return _blur(up, gain=4.0)[:, :, : size[0], : size[1]]


def laplacian_pyramid(images: Tensor, min_size: int = 16) -> list[Tensor]:
    """``(B, C, H, W)`` -> levels, finest first: band-pass details, then the ``min_size`` residual.

    Images at or below ``min_size`` give one level (themselves).
    """
    levels, current = [], images
    while min(current.shape[-2:]) > min_size and min(current.shape[-2:]) >= 10:
        small = _down(current)
        levels.append(current - _up(small, (current.shape[-2], current.shape[-1])))
        current = small
    levels.append(current)
    return levels


def patch_descriptors(
    level: Tensor, patches: int = 128, patch: int = 7, generator: torch.Generator | None = None
) -> Tensor:
    """``patches`` random ``patch``×``patch`` crops per image: ``(B, C, H, W)`` -> ``(B*patches, C, patch, patch)``."""
    b, c, h, w = level.shape
    ph, pw = min(patch, h), min(patch, w)
    ys = torch.randint(0, h - ph + 1, (b, patches), generator=generator).to(level.device)
    xs = torch.randint(0, w - pw + 1, (b, patches), generator=generator).to(level.device)
    dy = torch.arange(ph, device=level.device)
    dx = torch.arange(pw, device=level.device)
    rows = (ys[..., None] + dy).view(b, patches, ph, 1)
    cols = (xs[..., None] + dx).view(b, patches, 1, pw)
    batch = torch.arange(b, device=level.device).view(b, 1, 1, 1)
    crops = level.permute(0, 2, 3, 1)[batch, rows, cols]  # (b, patches, ph, pw, c)
    return crops.permute(0, 1, 4, 2, 3).reshape(b * patches, c, ph, pw)


def normalize_descriptors(desc: Tensor) -> Tensor:
    """Each channel to zero mean / unit std over all descriptors and pixels; ``(N, C, p, p)`` -> ``(N, C*p*p)``."""
    desc = desc - desc.mean(dim=(0, 2, 3), keepdim=True)
    desc = desc / desc.std(dim=(0, 2, 3), keepdim=True).clamp_min(1e-8)
    return desc.reshape(len(desc), -1)


def sliced_wasserstein(
    a: Tensor, b: Tensor, projections: int = 512, generator: torch.Generator | None = None, chunk: int = 128
) -> Tensor:
    """Mean over random unit directions of mean |sorted(a·d) - sorted(b·d)|; ``a``, ``b`` are ``(N, D)``.

    Sets of different sizes are cut to the smaller one. Returns a 0-d tensor (not ×10³).
    """
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    total = torch.zeros((), dtype=torch.float64, device=a.device)
    done = 0
    while done < projections:
        k = min(chunk, projections - done)
        dirs = torch.randn(a.shape[1], k, generator=generator).to(device=a.device, dtype=a.dtype)
        dirs = dirs / dirs.norm(dim=0, keepdim=True)
        pa = torch.sort(a @ dirs, dim=0).values
        pb = torch.sort(b @ dirs, dim=0).values
        total = total + (pa - pb).abs().mean(dim=0).sum().double()
        done += k
    return total / projections


@torch.no_grad()
def swd(
    a: Tensor, b: Tensor, *, patches: int = 128, projections: int = 512, min_size: int = 16, seed: int = 0
) -> dict[str, Any]:
    """Laplacian SWD ×10³ between two image sets ``(N, C, H, W)`` (same C, H, W; any range, e.g. [-1, 1]).

    Returns ``{"levels": {"64": x, "32": y, "16": z}, "average": mean}`` keyed by level resolution.
    """
    if a.shape[1:] != b.shape[1:]:
        raise ValueError(f"image sets differ in shape: {tuple(a.shape[1:])} vs {tuple(b.shape[1:])}")
    generator = torch.Generator().manual_seed(seed)
    levels: dict[str, float] = {}
    for index, (la, lb) in enumerate(
        zip(laplacian_pyramid(a.double(), min_size), laplacian_pyramid(b.double(), min_size))
    ):
        # both sets use the same patch positions (common random numbers): a set against itself is 0
        da = normalize_descriptors(patch_descriptors(la, patches, generator=_patch_rng(seed, index))).float()
        db = normalize_descriptors(patch_descriptors(lb, patches, generator=_patch_rng(seed, index))).float()
        levels[str(la.shape[-1])] = float(sliced_wasserstein(da, db, projections, generator)) * 1e3
    return {"levels": levels, "average": sum(levels.values()) / len(levels)}


def _patch_rng(seed: int, level: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed * 1000 + level + 1)


#: ``swd`` under a name that cannot be confused with this module (``from ganvas.metrics import laplacian_swd``).
laplacian_swd = swd


def swd_report(fake: Tensor, real_a: Tensor, real_b: Tensor, **kwargs: Any) -> dict[str, Any]:
    """SWD of ``fake`` vs ``real_a`` and the real-vs-real floor ``real_b`` vs ``real_a``."""
    return {"fake": swd(fake, real_a, **kwargs), "real_floor": swd(real_b, real_a, **kwargs)}
