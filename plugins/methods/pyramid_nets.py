"""The networks of the ``pyramid`` method: a generator of one small convolutional stage per scale
that refines the picture from the scale below (SinGAN's residual design), and a fully
convolutional patch critic.

Stage ``k`` takes the picture from stage ``k - 1`` upsampled to its scale and a noise map, and
adds what its convolutions make of them: ``x_k = up(x_{k-1}) + tanh(stage_k(up, amp_k * noise))``.
Pictures, not features, pass between stages, so a drawing can start from any picture at any
scale (paint-to-image, harmonisation) and the finest stage can be applied again above the
training size (super-resolution). Noise maps have :data:`NOISE` channels; a drawing's maps come
from the seed's latent through a counter-based hash (the same pixel gets the same projection at
any canvas size), so walks are smooth.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganvas.plugins.models.spatial import hash_normal

__all__ = ["NOISE", "LATENT", "PyramidGenerator", "PatchDiscriminator", "hash_noise", "pyramid_sizes", "upsample"]

#: Channels of every noise map; the length of a drawing's latent (its noise is a projection of it).
NOISE, LATENT = 4, 64


def _block(a: int, b: int, padding: int = 1) -> list[nn.Module]:
    """3x3 convolution and LeakyReLU(0.2); no batch norm: with one picture a batch's statistics
    are that picture's, and running averages of them would draw differently from training."""
    return [nn.Conv2d(a, b, 3, 1, padding), nn.LeakyReLU(0.2, inplace=True)]


def upsample(x: Tensor, size: tuple[int, int]) -> Tensor:
    """``x`` resized to ``size`` bilinearly (how a stage receives the picture from below)."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=size, mode="bilinear", align_corners=False)


class Stage(nn.Module):
    """One scale: ``(picture from below, noise) -> the residual it adds``, in [-1, 1].

    ``padding``: ``zeros`` pads every convolution (the border is a signal the stage sees, which
    keeps a picture's layout in place: sky at the top, ground at the bottom; it can paint
    streaks along the edges); ``reflect`` mirror-pads the input once by the convolutions' reach
    and the convolutions pad nothing (no edge to see: right for textures, whose variations should
    have no layout, and no edge streaks; measured on photos it loses their layout)."""

    def __init__(self, channels: int, width: int, layers: int, padding: str = "zeros") -> None:
        super().__init__()
        inner = 1 if padding == "zeros" else 0
        blocks = _block(channels + NOISE, width, inner) + [
            m for _ in range(layers - 1) for m in _block(width, width, inner)
        ]
        self.net = nn.Sequential(*blocks, nn.Conv2d(width, channels, 3, 1, inner), nn.Tanh())
        self.reach = 0 if padding == "zeros" else layers + 1

    def forward(self, below: Tensor, noise: Tensor) -> Tensor:
        x, r = torch.cat([below, noise], dim=1), self.reach
        if r:
            mode = "reflect" if min(x.shape[-2:]) > r else "replicate"  # reflect needs more pixels than it pads
            x = F.pad(x, (r, r, r, r), mode=mode).contiguous(memory_format=torch.channels_last)
        return self.net(x)


class PyramidGenerator(nn.Module):
    """noise maps ``[(B, NOISE, h_k, w_k)]`` for stages ``start..k`` -> a picture ``(B, C, h_k, w_k)``.

    ``below`` is the picture the first of them refines (upsampled to its scale); None: nothing,
    the coarsest stage paints from noise alone."""

    def __init__(self, stages: int, channels: int, width: int, layers: int, padding: str = "zeros") -> None:
        super().__init__()
        self.stages = nn.ModuleList(Stage(channels, width, layers, padding) for _ in range(stages))
        self.channels, self.width = channels, width

    def forward(
        self, noises: list[Tensor], amps: list[float], *, start: int = 0, below: Tensor | None = None
    ) -> Tensor:
        if not noises:
            raise ValueError("PyramidGenerator needs the noise map of at least one stage")
        x = below
        for k, noise in enumerate(noises, start=start):
            size = (int(noise.shape[-2]), int(noise.shape[-1]))
            up = noise.new_zeros(len(noise), self.channels, *size) if x is None else upsample(x, size)
            x = up + self.stages[k](up, amps[k] * noise)
        assert x is not None  # noises is not empty
        return x


class PatchDiscriminator(nn.Module):
    """pictures ``(B, C, H, W)`` of any size -> a score per patch ``(B, 1, H, W)`` (:meth:`forward`)."""

    def __init__(self, channels: int, width: int, layers: int) -> None:
        super().__init__()
        blocks = _block(channels, width) + [m for _ in range(layers - 1) for m in _block(width, width)]
        self.net = nn.Sequential(*blocks, nn.Conv2d(width, 1, 3, 1, 1))

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


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
