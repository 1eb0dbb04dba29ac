"""WGAN, WGAN-GP, hinge and relativistic losses on hand-computable cases."""

import pytest
import torch
from torch import nn

from ganvas.plugins.losses.hinge import Hinge, Relativistic
from ganvas.plugins.losses.wasserstein import WGAN, WGANGP, gradient_penalty


class LinearCritic(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(torch.tensor(w, dtype=torch.float32))

    def forward(self, x):
        return x.flatten(1) @ self.w


def test_wgan_signs_and_clipping():
    loss = WGAN(clip=0.05)
    real, fake = torch.tensor([2.0, 4.0]), torch.tensor([-1.0, 1.0])
    assert loss.d_loss(real, fake).item() == pytest.approx(0.0 - 3.0)  # mean(fake) - mean(real)
    assert loss.g_loss(fake).item() == pytest.approx(0.0)
    critic = LinearCritic([0.3, -0.2, 0.01])
    loss.after_d_step(critic)
    assert critic.w.tolist() == pytest.approx([0.05, -0.05, 0.01])
    assert WGAN.n_critic == 5 and WGAN.optimizer == "rmsprop"


def test_gradient_penalty_is_zero_for_a_unit_gradient_linear_critic():
    critic = LinearCritic([0.6, 0.8])  # |w| = 1: 1-Lipschitz with unit-norm gradient everywhere
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    assert gradient_penalty(critic, real, fake).item() == pytest.approx(0.0, abs=1e-10)
    steep = LinearCritic([3.0, 4.0])  # |grad| = 5: penalty (5 - 1)^2 = 16
    assert gradient_penalty(steep, real, fake).item() == pytest.approx(16.0)


def test_gradient_penalty_pushes_the_gradient_norm_towards_one():
    steep = LinearCritic([3.0, 4.0])
    gradient_penalty(steep, torch.randn(8, 2), torch.randn(8, 2)).backward()
    # d/dw (|w| - 1)^2 = 2 (|w| - 1) w / |w|: points along w, shrinking it
    assert torch.allclose(steep.w.grad, 2 * 4 * torch.tensor([3.0, 4.0]) / 5)


def test_wgan_gp_d_phase_adds_the_penalty():
    critic = LinearCritic([3.0, 4.0])
    G = nn.Identity()
    real, z = torch.randn(8, 2), torch.randn(8, 2)
    result = WGANGP(gp=10.0, drift=0.0).d_phase(G, critic, real, z, lambda x: x)
    wasserstein = critic(z).mean() - critic(real).mean()
    assert result.loss.item() == pytest.approx(wasserstein.item() + 10 * 16, rel=1e-5)
    assert result.stats["Loss/D/gp"].item() == pytest.approx(16.0)


def test_hinge_margins():
    h = Hinge()
    assert h.d_loss(torch.tensor([2.0]), torch.tensor([-2.0])).item() == 0.0  # both beyond the margin
    assert h.d_loss(torch.tensor([0.0]), torch.tensor([0.0])).item() == 2.0
    assert h.g_loss(torch.tensor([1.5, 0.5])).item() == -1.0


def test_relativistic_compares_pairs():
    r = Relativistic()
    same = torch.tensor([0.3, -1.0])
    assert r.d_loss(same, same).item() == pytest.approx(torch.log(torch.tensor(2.0)).item())
    assert r.d_loss(torch.tensor([5.0]), torch.tensor([-5.0])) < 1e-4
    G, D = nn.Identity(), LinearCritic([1.0, 0.0])
    real, z = torch.tensor([[4.0, 0.0]]), torch.tensor([[-4.0, 0.0]])
    g = r.g_phase(G, D, real, z, lambda x: x)
    assert g.loss.item() == pytest.approx(torch.nn.functional.softplus(torch.tensor(8.0)).item())
