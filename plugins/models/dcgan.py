"""DCGAN (Radford et al. 2016): transposed-conv generator, strided-conv discriminator.

Any power-of-two size from 16 to 256, any number of channels (1 grayscale, 3 RGB). The generator starts at 4x4 and doubles
to the target size; the discriminator mirrors it. Batch norm everywhere except the generator's
output and the discriminator's input; ReLU in G, LeakyReLU(0.2) in D; weights ~ N(0, 0.02).

``upsample = "resize"`` doubles each resolution by nearest-neighbour resizing followed by a 3x3
convolution instead of a stride-2 transposed convolution, whose uneven kernel overlap paints a
chequerboard (Odena, Dumoulin & Olah, "Deconvolution and Checkerboard Artifacts", Distill 2016).
"""

from __future__ import annotations

from torch import Tensor, nn

from ganvas.errors import UserInputError
from ganvas.training import Networks


def _widths(size: int, width: int, max_width: int) -> list[int]:
    """Channels at resolutions 4, 8, ..., size/2 (widest first): ``width`` at size/2, doubling
    towards 4x4 and capped at ``max_width``; DCGAN-64 with width 64 gives 512, 256, 128, 64."""
    levels = size.bit_length() - 3  # number of resolutions from 4 to size/2
    return [min(width * 2 ** (levels - 1 - i), max_width) for i in range(levels)]


class DCGANGenerator(nn.Module):
    """z ``(B, z_dim)`` -> images ``(B, C, size, size)`` in [-1, 1]."""

    def __init__(
        self, z_dim: int, channels: int, size: int, width: int, max_width: int, upsample: str = "transposed"
    ) -> None:
        super().__init__()
        widths = _widths(size, width, max_width)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(z_dim, widths[0], 4, 1, 0, bias=False),  # 1x1 -> 4x4: a dense projection
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(inplace=True),
        ]
        for a, b in zip(widths[:-1], widths[1:]):
            layers += [_up(a, b, upsample), nn.BatchNorm2d(b), nn.ReLU(inplace=True)]
        layers += [_up(widths[-1], channels, upsample), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z[:, :, None, None])


def _up(a: int, b: int, mode: str) -> nn.Module:
    """Double the resolution from ``a`` to ``b`` channels: a transposed conv, or resize + conv."""
    if mode == "resize":
        return nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(a, b, 3, 1, 1, bias=False))
    return nn.ConvTranspose2d(a, b, 4, 2, 1, bias=False)


class DCGANDiscriminator(nn.Module):
    """images ``(B, C, size, size)`` -> logits ``(B,)``."""

    def __init__(self, channels: int, size: int, width: int, max_width: int) -> None:
        super().__init__()
        widths = list(reversed(_widths(size, width, max_width)))  # from size/2 down to 4
        layers: list[nn.Module] = [nn.Conv2d(channels, widths[0], 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True)]
        for a, b in zip(widths[:-1], widths[1:]):
            layers += [nn.Conv2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.LeakyReLU(0.2, inplace=True)]
        layers.append(nn.Conv2d(widths[-1], 1, 4, 1, 0, bias=False))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).flatten()


def init_weights(module: nn.Module) -> None:
    """DCGAN initialisation: conv weights ~ N(0, 0.02), batch-norm scales ~ N(1, 0.02)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def build(
    data_shape: tuple[int, ...], *, z_dim: int, width: int, max_width: int, upsample: str = "transposed"
) -> Networks:
    if len(data_shape) != 3:
        raise UserInputError(
            f"architecture 'dcgan' needs images (C, H, W), got items of shape {tuple(data_shape)}; use 'mlp' for points"
        )
    channels, height, width_px = data_shape
    size = height
    if height != width_px or size < 16 or size > 256 or size & (size - 1):
        raise UserInputError(
            f"architecture 'dcgan' needs square images of 16, 32, 64, 128 or 256 px, got {height}x{width_px}"
        )
    # any channel count works (1 grayscale, 3 RGB; packed discriminators see m times more)
    G = DCGANGenerator(z_dim, channels, size, width, max_width, upsample)
    D = DCGANDiscriminator(channels, size, width, max_width)
    G.apply(init_weights)
    D.apply(init_weights)
    return Networks(G, D, z_dim)
