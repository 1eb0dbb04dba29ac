"""The order training items are drawn in: each item once per epoch, resumable exactly."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

__all__ = ["EpochSampler"]


class EpochSampler:
    """Random batches of indices, each item once per epoch; its state is plain data."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.generator = torch.Generator().manual_seed(seed)
        self.order = torch.randperm(size, generator=self.generator)
        self.position = 0

    def next(self, batch: int) -> Tensor:
        """The next ``batch`` indices; an epoch that runs out is continued by a new permutation."""
        parts, need = [], batch
        while need:
            if self.position == self.size:
                self.order = torch.randperm(self.size, generator=self.generator)
                self.position = 0
            take = min(need, self.size - self.position)
            parts.append(self.order[self.position : self.position + take])
            self.position += take
            need -= take
        return parts[0] if len(parts) == 1 else torch.cat(parts)

    def state_dict(self) -> dict[str, Any]:
        return {"rng": self.generator.get_state(), "order": self.order, "position": self.position}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.generator.set_state(state["rng"])
        self.order = state["order"]
        self.position = int(state["position"])
