"""``toy2d:ring`` and ``toy2d:grid``: the 2-D Gaussian mixtures of the mode-collapse literature.

ring = 8 Gaussians at (cos 2*pi*k/8, sin 2*pi*k/8), std 0.01 (VEEGAN 2017);
grid = 25 Gaussians at {-4, -2, 0, 2, 4}^2, std 0.05 (PacGAN 2018).
"""

from __future__ import annotations

import math

import torch

from ganvas.data import PointSet
from ganvas.errors import UnknownNameError


def mixture(name: str) -> tuple[torch.Tensor, float]:
    """The mode centres ``(K, 2)`` and the per-mode std of the named mixture."""
    if name == "ring":
        angles = torch.arange(8, dtype=torch.float64) * (2 * math.pi / 8)
        return torch.stack([angles.cos(), angles.sin()], 1).float(), 0.01
    if name == "grid":
        axis = torch.tensor([-4.0, -2.0, 0.0, 2.0, 4.0])
        return torch.cartesian_prod(axis, axis), 0.05
    raise UnknownNameError("toy2d mixture", name, ["ring", "grid"])


def sample_mixture(name: str, count: int, generator: torch.Generator) -> torch.Tensor:
    """``count`` points drawn uniformly over the modes of ``name``."""
    centres, std = mixture(name)
    which = torch.randint(len(centres), (count,), generator=generator)
    return centres[which] + std * torch.randn(count, 2, generator=generator)


def load(argument: str, *, count: int) -> PointSet:
    name = argument or "ring"
    points = sample_mixture(name, count, torch.Generator().manual_seed(0))
    return PointSet(points, name=f"toy2d:{name}")
