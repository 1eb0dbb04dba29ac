"""Hinge and relativistic losses on discriminator logits."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganvas.training import Augment, LogitLoss, PhaseResult


class Hinge(LogitLoss):
    """D minimises relu(1 - D(x)) + relu(1 + D(G(z))); G minimises -D(G(z))."""

    def d_loss(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()

    def g_loss(self, fake_logits: Tensor) -> Tensor:
        return -fake_logits.mean()


class Relativistic(LogitLoss):
    """Relativistic pairing GAN: D maximises log sigmoid(D(x) - D(G(z))), G the reverse.

    Real and fake logits are paired item by item, so both phases need a real batch.
    """

    def d_loss(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        return F.softplus(-(real_logits - fake_logits)).mean()

    def g_pair_loss(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        return F.softplus(-(fake_logits - real_logits)).mean()

    def g_phase(self, G: nn.Module, D: nn.Module, real: Tensor, z: Tensor, augment: Augment) -> PhaseResult:
        fake_logits = D(augment(G(z)))
        with torch.no_grad():
            real_logits = D(augment(real))
        loss = self.g_pair_loss(real_logits, fake_logits)
        return PhaseResult(loss, {"Loss/G": loss.detach()})
