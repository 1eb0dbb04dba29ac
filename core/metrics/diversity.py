"""A cheap collapse watch: how varied generated samples are, relative to the real data.

``diversity = mean pairwise distance of generated items / the same for real items``, on a fixed
set of latents and a fixed set of real items (images average-pooled to at most 16 px). 1.0 means
as varied as the data; a generator that collapses onto a few outputs falls towards 0.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganvas.data.kinds import Dataset
from ganvas.training.components import generate

__all__ = ["mean_pairwise_distance", "diversity_features", "CollapseWatch"]


def diversity_features(items: Tensor) -> Tensor:
    """Items as float vectors ``(N, F)``; images are average-pooled to at most 16 x 16 first."""
    items = items.detach().float()
    if items.ndim == 4 and items.shape[-1] > 16:
        items = F.adaptive_avg_pool2d(items, 16)
    return items.flatten(1)


def mean_pairwise_distance(vectors: Tensor) -> float:
    """Mean Euclidean distance over all pairs of rows of ``vectors`` (N >= 2)."""
    return float(torch.pdist(vectors.cpu().double()).mean()) if len(vectors) >= 2 else 0.0


class CollapseWatch:
    """Logs ``Collapse/diversity`` and warns once when it falls sharply or losses blow up."""

    def __init__(self, data: Dataset, z_dim: int, device: torch.device, seed: int, count: int = 64) -> None:
        generator = torch.Generator().manual_seed(seed + 7919)
        count = max(2, min(count, len(data)))
        index = torch.randperm(len(data), generator=generator)[:count]
        self.real_spread = mean_pairwise_distance(diversity_features(data.batch(index)))
        self.z = torch.randn(count, z_dim, generator=generator).to(device)
        self.best = 0.0
        self.warned = False

    @torch.no_grad()
    def observe(self, G: nn.Module, line: dict[str, Any]) -> str | None:
        """Add the diversity figure to a stats ``line``; returns a warning the first time one is due."""
        fake = generate(G, self.z)
        diversity = mean_pairwise_distance(diversity_features(fake)) / max(self.real_spread, 1e-12)
        line["Collapse/diversity"] = round(diversity, 4)
        self.best = max(self.best, diversity)
        if self.warned:
            return None
        step = line.get("step")
        if self.best >= 0.3 and diversity < 0.5 * self.best:
            self.warned = True
            return (
                f"sample diversity fell from {self.best:.2f} to {diversity:.2f} of the data's by step {step}: "
                "the generator may be collapsing onto a few outputs; try [[regularize]] pack, "
                "spectral-norm or r1, or lower learning rates"
            )
        blown = [
            k
            for k, v in line.items()
            if k.startswith("Loss/") and isinstance(v, float) and math.isfinite(v) and abs(v) > 1e3
        ]
        if blown:
            self.warned = True
            return (
                f"losses are diverging by step {step} ({', '.join(f'{k} {line[k]:.3g}' for k in blown)}); "
                "try lower learning rates or another loss"
            )
        return None

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "warned": self.warned}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.warned = float(state["best"]), bool(state["warned"])
