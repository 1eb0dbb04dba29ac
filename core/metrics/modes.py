"""Mode coverage on 2-D Gaussian mixtures (VEEGAN 2017 protocol, PacGAN 2018 geometry).

A sample is *high quality* if it lies within 3 std of its nearest centre; a mode is *captured*
if it is the nearest centre of at least one high-quality sample; the reverse KL compares the
histogram of nearest modes of the high-quality samples with the uniform distribution.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import Tensor

from ganvas.errors import UnknownNameError

__all__ = ["ModeStats", "mode_stats", "mixture", "PUBLISHED"]


def mixture(name: str) -> tuple[torch.Tensor, float]:
    """The mode centres ``(K, 2)`` and the per-mode std of the named mixture: ring = 8 Gaussians at
    (cos 2πk/8, sin 2πk/8), std 0.01 (VEEGAN 2017); grid = 25 at {-4, -2, 0, 2, 4}², std 0.05 (PacGAN)."""
    if name == "ring":
        angles = torch.arange(8, dtype=torch.float64) * (2 * math.pi / 8)
        return torch.stack([angles.cos(), angles.sin()], 1).float(), 0.01
    if name == "grid":
        axis = torch.tensor([-4.0, -2.0, 0.0, 2.0, 4.0])
        return torch.cartesian_prod(axis, axis), 0.05
    raise UnknownNameError("toy2d mixture", name, ["ring", "grid"])


#: PacGAN (Lin et al. 2018) Table 1: mean over 10 trials of modes / high-quality % / reverse KL.
PUBLISHED: dict[str, dict[str, tuple[float, float, float]]] = {
    "ring": {"GAN": (6.3, 98.2, 0.45), "PacGAN2": (7.9, 95.6, 0.07), "PacGAN4": (7.8, 95.9, 0.07)},
    "grid": {"GAN": (17.3, 94.8, 0.70), "PacGAN2": (23.8, 91.3, 0.13), "PacGAN4": (24.8, 93.6, 0.04)},
}


@dataclass
class ModeStats:
    modes: int
    high_quality: float  # percent
    reverse_kl: float

    def to_dict(self) -> dict[str, float]:
        """The three figures as a plain dict (for JSON)."""
        return asdict(self)


def mode_stats(samples: Tensor, centres: Tensor, std: float) -> ModeStats:
    """The protocol's three figures for ``samples`` (N, 2) against mixture ``centres`` (K, 2)."""
    samples = samples.detach().double().cpu()
    centres = centres.double().cpu()
    finite = torch.isfinite(samples).all(1)
    distances = torch.cdist(samples[finite], centres)
    nearest_distance, nearest = distances.min(1)
    high = nearest_distance <= 3 * std
    counts = torch.bincount(nearest[high], minlength=len(centres)).double()
    modes = int((counts > 0).sum())
    total = counts.sum()
    if total == 0:
        reverse_kl = math.inf
    else:
        p = counts[counts > 0] / total
        reverse_kl = float((p * (p * len(centres)).log()).sum())
    return ModeStats(modes, 100.0 * float(high.sum()) / max(len(samples), 1), reverse_kl)
