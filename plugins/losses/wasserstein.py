"""Wasserstein critics: weight clipping (WGAN) and gradient penalty (WGAN-GP)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganvas.training import Augment, LogitLoss, PhaseResult, full_precision


class WGAN(LogitLoss):
    """Critic maximises D(x) - D(G(z)); weights are clipped after every critic step."""

    n_critic = 5
    optimizer = "rmsprop"

    def __init__(self, clip: float = 0.01) -> None:
        self.clip = clip

    def d_loss(self, real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        return fake_logits.mean() - real_logits.mean()

    def g_loss(self, fake_logits: Tensor) -> Tensor:
        return -fake_logits.mean()

    @torch.no_grad()
    def after_d_step(self, D: nn.Module) -> None:
        for p in D.parameters():
            p.clamp_(-self.clip, self.clip)

    def __repr__(self) -> str:
        return f"WGAN(clip={self.clip})"


def gradient_penalty(D: nn.Module, real: Tensor, fake: Tensor) -> Tensor:
    """mean over items of (||grad_x D(x_hat)||_2 - 1)^2 at random interpolates x_hat of real and fake;
    in fp32 under mixed precision (train.precision), as second derivatives need."""
    with full_precision(real.device.type):
        dtype = torch.promote_types(real.dtype, torch.float32)  # half -> fp32; fp32, fp64 as they are
        real, fake = real.to(dtype), fake.to(dtype)
        eps = torch.rand((len(real),) + (1,) * (real.ndim - 1), device=real.device, dtype=real.dtype)
        x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
        logits = D(x_hat)
        (grad,) = torch.autograd.grad(logits.sum(), x_hat, create_graph=True)
        # D's logits with weight zero: the same value and gradients, and every parameter of D in the
        # backward pass, as DistributedDataParallel needs (see r1_penalty)
        return (grad.flatten(1).norm(dim=1) - 1).square().mean() + 0 * logits.mean()


class WGANGP(WGAN):
    """WGAN with a gradient penalty instead of clipping, plus ProGAN's small drift term."""

    n_critic = 5
    optimizer = "adam"

    def __init__(self, gp: float = 10.0, drift: float = 0.001) -> None:
        self.gp, self.drift = gp, drift

    def d_phase(self, G: nn.Module, D: nn.Module, real: Tensor, z: Tensor, augment: Augment) -> PhaseResult:
        with torch.no_grad():
            fake = G(z)
        real_in, fake_in = augment(real), augment(fake)
        real_logits, fake_logits = D(real_in), D(fake_in)
        wasserstein = fake_logits.mean() - real_logits.mean()
        penalty = gradient_penalty(D, real_in.detach(), fake_in.detach())
        loss = wasserstein + self.gp * penalty + self.drift * real_logits.square().mean()
        return PhaseResult(
            loss,
            {
                "Loss/D": loss.detach(),
                "Loss/D/gp": penalty.detach(),
                "D/real": real_logits.detach().mean(),
                "D/real_sign": real_logits.detach().sign().mean(),  # r_t for adaptive augmentation
                "D/fake": fake_logits.detach().mean(),
            },
        )

    def after_d_step(self, D: nn.Module) -> None:
        pass

    def __repr__(self) -> str:
        return f"WGANGP(gp={self.gp}, drift={self.drift})"
