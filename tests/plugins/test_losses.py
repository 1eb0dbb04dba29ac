import math

import pytest
import torch

from ganvas.plugins.losses.classic import LeastSquares, Minimax, NonSaturating


def test_values_at_zero_logits():
    zero = torch.zeros(4)
    # D(x) = 0.5 everywhere: each log term is log 2
    assert Minimax().d_loss(zero, zero).item() == pytest.approx(2 * math.log(2))
    assert Minimax().g_loss(zero).item() == pytest.approx(-math.log(2))
    assert NonSaturating().g_loss(zero).item() == pytest.approx(math.log(2))
    assert LeastSquares().d_loss(zero, zero).item() == pytest.approx(0.5)
    assert LeastSquares().g_loss(zero).item() == pytest.approx(0.5)


def test_d_loss_is_low_when_d_is_right():
    real, fake = torch.full((4,), 5.0), torch.full((4,), -5.0)
    for loss in (Minimax(), NonSaturating()):
        assert loss.d_loss(real, fake) < 0.02 < loss.d_loss(fake, real)
    ls = LeastSquares()
    assert ls.d_loss(torch.ones(4), torch.zeros(4)).item() == 0.0


def test_generator_gradients_push_fakes_towards_real():
    for loss in (Minimax(), NonSaturating(), LeastSquares()):
        logits = torch.zeros(3, requires_grad=True)
        loss.g_loss(logits).backward()
        assert (logits.grad < 0).all(), type(loss).__name__  # descending raises D(G(z))


def test_non_saturating_gradient_is_stronger_when_d_rejects_fakes():
    rejected = torch.full((1,), -6.0, requires_grad=True)
    Minimax().g_loss(rejected).backward()
    saturating = rejected.grad.abs().item()
    rejected.grad = None
    NonSaturating().g_loss(rejected).backward()
    assert rejected.grad.abs().item() > 100 * saturating
