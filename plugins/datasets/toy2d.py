"""``toy2d:ring`` and ``toy2d:grid``: the 2-D Gaussian mixtures of the mode-collapse literature.

ring = 8 Gaussians at (cos 2*pi*k/8, sin 2*pi*k/8), std 0.01 (VEEGAN 2017);
grid = 25 Gaussians at {-4, -2, 0, 2, 4}^2, std 0.05 (PacGAN 2018).
"""

from __future__ import annotations

import torch

from ganvas.data import PointSet
from ganvas.metrics import mixture


def sample_mixture(name: str, count: int, generator: torch.Generator) -> torch.Tensor:
    """``count`` points drawn uniformly over the modes of ``name``."""
    centres, std = mixture(name)
    which = torch.randint(len(centres), (count,), generator=generator)
    return centres[which] + std * torch.randn(count, 2, generator=generator)


def load(argument: str, *, count: int) -> PointSet:
    name = argument or "ring"
    points = sample_mixture(name, count, torch.Generator().manual_seed(0))
    return PointSet(points, name=f"toy2d:{name}")
