"""The networks of the ``pyramid`` method: a generator that grows one convolutional stage per scale
(ConSinGAN's residual design) and a fully convolutional patch discriminator.

Stage ``k`` upsamples the features of stage ``k - 1`` to its scale, adds what its convolutions
make of them and of its noise map, and a shared 3x3 tail turns the features into a picture. Noise
maps have :data:`NOISE` channels; a drawing's maps come from the seed's latent through a counter-
based hash (the same pixel gets the same projection at any canvas size), so walks are smooth.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganvas.plugins.models.spatial import hash_normal

__all__ = ["NOISE", "LATENT", "PyramidGenerator", "PatchDiscriminator", "hash_noise", "pyramid_sizes"]

#: Channels of every noise map; the length of a drawing's latent (its noise is a projection of it).
NOISE, LATENT = 4, 64


def _block(a: int, b: int) -> list[nn.Module]:
    """3x3 convolution and LeakyReLU(0.2); no batch norm: with one picture a batch's statistics
    are that picture's, and running averages of them would draw differently from training."""
    return [nn.Conv2d(a, b, 3, 1, 1), nn.LeakyReLU(0.2, inplace=True)]


class PyramidGenerator(nn.Module):
    """noise maps ``[(B, NOISE, h_k, w_k)]`` for stages 0..k -> a picture ``(B, C, h_k, w_k)``."""

    def __init__(self, stages: int, channels: int, width: int, layers: int) -> None:
        super().__init__()
        self.bodies = nn.ModuleList(
            nn.Sequential(*_block(width + NOISE, width), *[m for _ in range(layers - 1) for m in _block(width, width)])
            for _ in range(stages)
        )
        self.tail = nn.Conv2d(width, channels, 3, 1, 1)
        self.width = width

    def forward(self, noises: list[Tensor], amps: list[float]) -> Tensor:
        first = noises[0]
        x = first.new_zeros(len(first), self.width, *first.shape[-2:])
        for k, noise in enumerate(noises):
            if k:
                x = F.interpolate(x, size=noise.shape[-2:], mode="bilinear", align_corners=False)
            x = x + self.bodies[k](torch.cat([x, amps[k] * noise], dim=1))
        return torch.tanh(self.tail(x))


class PatchDiscriminator(nn.Module):
    """pictures ``(B, C, H, W)`` of any size -> one score per patch, averaged: ``(B,)``."""

    def __init__(self, channels: int, width: int, layers: int) -> None:
        super().__init__()
        blocks = _block(channels, width) + [m for _ in range(layers) for m in _block(width, width)]
        self.net = nn.Sequential(*blocks, nn.Conv2d(width, 1, 3, 1, 1))

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).mean(dim=(1, 2, 3))


def pyramid_sizes(height: int, width: int, scales: int, min_size: int, factor: float) -> list[tuple[int, int]]:
    """The pyramid's ``(H, W)``, coarsest first, finest the picture's own: ``scales`` of them (0:
    as many as ``factor`` gives from a ``min_size`` shorter side), evenly spaced in log size."""
    short = min(height, width)
    if scales == 0:
        scales = 1 + max(1, math.ceil(math.log(min_size / short) / math.log(factor)))
    ratio = (min_size / short) ** (1 / (scales - 1)) if scales > 1 else 1.0
    sizes = []
    for k in range(scales):
        r = ratio ** (scales - 1 - k)
        sizes.append((max(1, round(height * r)), max(1, round(width * r))))
    return sizes


def hash_noise(z: Tensor, stage: int, size: tuple[int, int]) -> Tensor:
    """Noise maps ``(B, NOISE, H, W)`` for latents ``z`` ``(B, LATENT)``: each pixel's values are a
    fixed random projection of ``z`` (unit variance), different per stage."""
    rows = torch.arange(size[0], device=z.device) + stage * (1 << 20)
    cols = torch.arange(size[1], device=z.device)
    basis = hash_normal(rows, cols, NOISE, z.shape[1]).to(z.dtype)  # (H, W, NOISE, LATENT)
    return torch.einsum("hwcl,bl->bchw", basis, z) / math.sqrt(z.shape[1])
