"""``landscape:``: photo-like landscapes ganvas paints itself (sky, sun, two mountain ranges, a lake,
a meadow), for stylizing, benchmarks and tests without a photo; deterministic by seed."""

from __future__ import annotations

import torch

from ganvas.data import ImageSet
from ganvas.plugins.stylizers.pictures import landscape


def load(argument: str, *, size: int, count: int, seed: int, hue: float) -> ImageSet:
    """``count`` RGB pictures of ``size`` x ``size``; picture i is drawn from seed ``seed + i``."""
    pictures = torch.cat([landscape(size, size, seed=seed + i, hue=hue) for i in range(count)])
    return ImageSet(pictures.mul(255).round().to(torch.uint8), name=f"landscape:seed{seed}")
