"""Instance noise: Gaussian noise on everything the discriminator sees, annealed to zero.

Blurring real and generated items alike makes the two distributions overlap, so D's gradient
reaches generated points that are far from any data and data that no generated point is near
(Sønderby et al. 2016; Arjovsky & Bottou 2017). Annealing keeps the final samples sharp.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from ganvas.training import Regularizer


class NoisyDiscriminator(nn.Module):
    """Adds ``N(0, sigma^2)`` to ``inner``'s input in training mode while ``sigma > 0``."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.sigma = 0.0

    def forward(self, items: Tensor, **options: Any) -> Tensor:
        """``options`` (a conditional discriminator's ``labels=``) pass through to ``inner``."""
        if self.training and self.sigma > 0:
            items = items + self.sigma * torch.randn_like(items)
        return self.inner(items, **options)


class InstanceNoise(Regularizer):
    """Noise std ``sigma`` at step 0, falling to 0 at fraction ``until`` of training.

    ``schedule = "linear"`` lowers it evenly; ``"quadratic"`` (``sigma * (1 - t)^2``) leaves the
    large-noise phase sooner and spends more of the schedule on the fine scales.
    """

    def __init__(self, sigma: float = 0.1, until: float = 0.5, schedule: str = "linear") -> None:
        self.sigma, self.until, self.schedule = sigma, until, schedule
        self.wrappers: list[NoisyDiscriminator] = []

    def wrap_discriminator(self, D: nn.Module) -> nn.Module:
        wrapper = NoisyDiscriminator(D)
        wrapper.sigma = self.sigma
        self.wrappers.append(wrapper)
        return wrapper

    def sigma_at(self, step: int, total_steps: int) -> float:
        if self.until <= 0:
            return self.sigma
        left = max(0.0, 1.0 - step / (self.until * total_steps))
        return self.sigma * (left * left if self.schedule == "quadratic" else left)

    def start_step(self, step: int, total_steps: int) -> None:
        sigma = self.sigma_at(step, total_steps)
        for wrapper in self.wrappers:
            wrapper.sigma = sigma

    def __repr__(self) -> str:
        return f"InstanceNoise(sigma={self.sigma}, until={self.until}, schedule={self.schedule!r})"
