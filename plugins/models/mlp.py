"""A dense generator/discriminator pair: the classic GAN tutorial network.

Works on 2-D points (linear output) and on small images (tanh output, reshaped to (C, H, W)).
"""

from __future__ import annotations

import math

from torch import Tensor, nn

from ganvas.training import Networks


def _stack(sizes: list[int], act: nn.Module) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), act]
    return layers


class MLPGenerator(nn.Module):
    """z ``(B, z_dim)`` -> items ``(B, *shape)``; tanh output for images, linear for points."""

    def __init__(self, z_dim: int, shape: tuple[int, ...], width: int, depth: int, images: bool) -> None:
        super().__init__()
        self.shape = shape
        out = math.prod(shape)
        layers = _stack([z_dim] + [width] * depth, nn.ReLU(inplace=True)) + [nn.Linear(width, out)]
        if images:
            layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z).view(len(z), *self.shape)


class MLPDiscriminator(nn.Module):
    """items ``(B, *shape)`` -> logits ``(B,)``."""

    def __init__(self, shape: tuple[int, ...], width: int, depth: int) -> None:
        super().__init__()
        layers = _stack([math.prod(shape)] + [width] * depth, nn.LeakyReLU(0.2, inplace=True))
        self.net = nn.Sequential(*layers, nn.Linear(width, 1))

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x.flatten(1)).squeeze(1)


def build(data_shape: tuple[int, ...], *, z_dim: int, width: int, depth: int) -> Networks:
    images = len(data_shape) == 3
    return Networks(
        MLPGenerator(z_dim, tuple(data_shape), width, depth, images),
        MLPDiscriminator(tuple(data_shape), width, depth),
        z_dim,
    )
