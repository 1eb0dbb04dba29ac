"""Gradient penalties on the discriminator that compose with any loss."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganvas.training import Augment, PhaseResult, Regularizer


def r1_penalty(D: nn.Module, real: Tensor) -> Tensor:
    """Mean over items of |grad_x D(x)|^2 at the real items ``x`` (B, ...).

    D's logits join the result with weight zero: the value and every gradient stay the same, and
    every parameter of D takes part in the backward pass, as DistributedDataParallel needs to
    average D's gradients over the ranks (a penalty alone misses D's last bias; StyleGAN2-ADA's fix).
    """
    real = real.detach().requires_grad_(True)
    logits = D(real)
    (grad,) = torch.autograd.grad(logits.sum(), real, create_graph=True)
    return grad.square().flatten(1).sum(1).mean() + 0 * logits.mean()


class R1(Regularizer):
    """gamma/2 * E|grad D(x_real)|^2, applied every ``every`` steps and scaled by ``every``."""

    def __init__(self, gamma: float = 10.0, every: int = 16) -> None:
        self.gamma, self.every = gamma, every

    def d_reg(self, step: int, D: nn.Module, real: Tensor, augment: Augment) -> PhaseResult | None:
        if step % self.every:
            return None
        penalty = r1_penalty(D, augment(real))
        return PhaseResult(0.5 * self.gamma * self.every * penalty, {"Loss/D/r1": penalty.detach()})

    def __repr__(self) -> str:
        return f"R1(gamma={self.gamma}, every={self.every})"
