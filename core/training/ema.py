"""An exponential moving average of a network's weights (the generator samples are drawn from)."""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import Tensor, nn

__all__ = ["EMA"]


class EMA:
    """``average <- lerp(average, model, 1 - beta)`` after every step, with a warm-up in which
    ``beta`` is at most ``(1 + step) / (10 + step)`` so the random first weights fade fast.

    ``beta = 0`` turns it off: :attr:`model` is then the network itself. Buffers (BatchNorm
    statistics) are copied, not averaged. The parameter lists are built once: ``load_state_dict``
    copies in place, so they stay valid across resume.
    """

    def __init__(self, network: nn.Module, beta: float) -> None:
        self.beta = float(beta)
        self.model = copy.deepcopy(network).eval().requires_grad_(False) if self.beta > 0 else network
        self._pairs: tuple[list[Tensor], list[Tensor]] = (list(self.model.parameters()), list(network.parameters()))
        self._buffers = list(zip(self.model.buffers(), network.buffers()))

    @torch.no_grad()
    def update(self, step: int) -> None:
        """Fold in the network's weights after training step ``step`` (0-based)."""
        if self.beta <= 0:
            return
        beta = min(self.beta, (1 + step) / (10 + step))
        torch._foreach_lerp_(self._pairs[0], self._pairs[1], 1.0 - beta)
        for ema_buf, buf in self._buffers:
            ema_buf.copy_(buf)

    def state_dict(self) -> dict[str, Any]:
        return self.model.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state)
