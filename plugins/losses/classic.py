"""The classic GAN objectives, written on discriminator logits for numerical stability.

With ``sigmoid(l)`` the probability D assigns to "real": ``log D = -softplus(-l)`` and
``log(1 - D) = -softplus(l)``.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from ganvas.training import LogitLoss


class Minimax(LogitLoss):
    """D maximises log D(x) + log(1 - D(G(z))); G minimises log(1 - D(G(z)))."""

    def d_loss(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()

    def g_loss(self, fake_logits: Tensor) -> Tensor:
        return -F.softplus(fake_logits).mean()


class NonSaturating(Minimax):
    """Like minimax for D; G minimises -log D(G(z)), which does not saturate when D wins."""

    def g_loss(self, fake_logits: Tensor) -> Tensor:
        return F.softplus(-fake_logits).mean()


class LeastSquares(LogitLoss):
    """D minimises (D(x) - 1)^2 / 2 + D(G(z))^2 / 2; G minimises (D(G(z)) - 1)^2 / 2."""

    def d_loss(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        return 0.5 * ((real_logits - 1).square().mean() + fake_logits.square().mean())

    def g_loss(self, fake_logits: Tensor) -> Tensor:
        return 0.5 * (fake_logits - 1).square().mean()
