"""Spectral normalisation of the discriminator's layers."""

from __future__ import annotations

from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from ganvas.training import Regularizer

_LAYERS = (nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d, nn.Linear)


class SpectralNorm(Regularizer):
    """Divides every conv/linear weight of D by its largest singular value (power iteration)."""

    def __init__(self, iterations: int = 1) -> None:
        self.iterations = iterations

    def wrap_discriminator(self, D: nn.Module) -> nn.Module:
        for module in list(D.modules()):
            if isinstance(module, _LAYERS):
                spectral_norm(module, n_power_iterations=self.iterations)
        return D

    def __repr__(self) -> str:
        return f"SpectralNorm(iterations={self.iterations})"
