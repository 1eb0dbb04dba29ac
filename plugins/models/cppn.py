"""CPPN: a generator that maps coordinates to colour, so one latent renders at any size.

``G(x, y, z)`` as in Ha (2016), "Generating Large Images from Latent Vectors", with the Fourier
features of INR-GAN / CIPS (2021). A small convolutional stack first turns ``z`` into a coarse
``grid x grid`` map of features (``grid = 1``: one global vector, the pure CPPN); every pixel then
reads that map at its own coordinates (bicubic), adds sines and cosines of its position at fixed
random frequencies, and a per-pixel MLP, modulated by ``z``, paints it. Nothing in the generator
has a pixel grid: ``G(z, size=(H, W))`` evaluates the same function on a denser (or wider)
lattice, in row chunks so memory stays bounded at any size.

Crisp edges at print size: the MLP's output is a *palette* of ``palette`` colour fields mixed by a
softmax of per-pixel logits. The colour fields come from a ``colour_grid``-cell average of the
feature map, so they carry gradients (a sky) but cannot paint an edge; edges are where the logits
cross. Rendering ``s`` times larger than the training size sharpens the softmax by
``s ** crisp``, which keeps every edge about one output pixel wide instead of ``s`` pixels (an
upsampled image's edges grow with it). ``crisp = 0`` renders as trained. Wider canvases than the
training square extend the coordinate field (the feature map reflects at its border).

Class-conditional (``classes`` K > 0): z is the noise then K class weights, and both maps that
read z (the coarse map's first layer and the per-layer modulation) read the class weights too: a
learned embedding of the class that sets the layout and the style of every layer; the
discriminator is a projection discriminator (:class:`ConvDiscriminator` with ``classes``).
"""

from __future__ import annotations

import math
from typing import Any, cast

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganvas.errors import UserInputError
from ganvas.plugins.models.blocks import ConvDiscriminator, init_weights, rows_per_chunk, with_class_weights
from ganvas.training import Networks

__all__ = ["CPPNGenerator", "bicubic_weights", "build"]


def _grid_net(z_dim: int, grid: int, features: int, width: int) -> nn.Module:
    """z ``(B, z_dim)`` -> feature map ``(B, features, grid, grid)``: a linear layer to 4x4 (or
    1x1), then per doubling a nearest-neighbour resize + 3x3 convolution (no chequerboard), with
    DCGAN's widths (``width`` at the finest map, doubling towards 4x4, at most 512)."""
    if grid == 1:
        return nn.Sequential(nn.Linear(z_dim, features), nn.Unflatten(1, (features, 1, 1)))
    levels = grid.bit_length() - 3  # doublings from 4x4 to grid x grid
    widths = [min(width * 2 ** (levels - i), 512) for i in range(levels + 1)]
    layers: list[nn.Module] = [
        nn.Linear(z_dim, widths[0] * 16),
        nn.Unflatten(1, (widths[0], 4, 4)),
        nn.BatchNorm2d(widths[0]),
        nn.ReLU(inplace=True),
    ]
    for a, b in zip(widths[:-1], widths[1:]):
        layers += [
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(a, b, 3, 1, 1, bias=False),
            nn.BatchNorm2d(b),
            nn.ReLU(inplace=True),
        ]
    layers.append(nn.Conv2d(widths[-1], features, 3, 1, 1))
    return nn.Sequential(*layers)


class CPPNGenerator(nn.Module):
    """z ``(B, z_dim)`` -> images ``(B, C, H, W)`` in [-1, 1]; the training size by default, or
    any ``size=(H, W)``. See the module docstring."""

    def __init__(
        self,
        z_dim: int,
        channels: int,
        train_size: tuple[int, int],
        *,
        grid: int,
        width: int,
        features: int,
        hidden: int,
        depth: int,
        frequencies: int,
        fourier_scale: float,
        palette: int,
        colour_grid: int,
        crisp: float,
        classes: int = 0,
    ) -> None:
        super().__init__()
        self.z_dim, self.classes = z_dim, classes
        z_dim += classes  # what the maps of z read: the noise and the class weights
        self.colour_grid = colour_grid
        self.channels, self.train_size, self.palette, self.crisp = channels, train_size, palette, crisp
        self.grid = _grid_net(z_dim, grid, features, width)
        # fixed random frequencies (cycles per unit of the training square's half-side)
        self.register_buffer(
            "freqs", torch.randn(2, frequencies, generator=torch.Generator().manual_seed(0)) * fourier_scale
        )
        positions = 2 * frequencies + 3  # sin and cos of each frequency, x, y, radius
        self.floats_per_pixel = 2 * features + positions + 5 * hidden + 4 * palette * (1 + channels) + channels
        # the first layer reads the feature map and the position; each layer's output channels are
        # scaled and shifted per sample from z (modulation), folded into one batched matmul
        self.feature_in = nn.Linear(features, hidden)
        self.position_in = nn.Linear(positions, hidden, bias=False)  # the same for every sample: once
        self.layers = nn.ModuleList(nn.Linear(hidden, hidden) for _ in range(depth - 1))
        self.style = nn.Linear(z_dim, 2 * hidden * depth)
        self.head = nn.Linear(hidden, palette or channels)  # the palette's logits, or plain colour
        # smooth colour fields: computed on the coarse map, then read like the features
        self.colours = nn.Linear(features, palette * channels) if palette else None
        if self.colours is not None:  # distinct colours from the start, so the mixing learns at once
            with torch.no_grad():
                self.colours.bias.uniform_(-1.5, 1.5)

    def latent_weight(self) -> Tensor:
        """Every linear map of the noise, stacked ``(outputs, z_dim)``: the coarse map's first
        layer and the modulation (what SeFa factorises; the class weights are left out)."""
        first = cast(nn.Linear, cast(nn.Sequential, self.grid)[0])
        return torch.cat([first.weight[:, : self.z_dim], self.style.weight[:, : self.z_dim]]).detach()

    def forward(self, z: Tensor, size: tuple[int, int] | None = None) -> Tensor:
        height, width = size or self.train_size
        if self.classes:
            z = with_class_weights(z, self.z_dim, self.classes)
        fmap = self.grid(z)
        style = self.style(z).view(len(z), len(self.layers) + 1, 2, -1)
        short = min(self.train_size)
        sharpen = max(min(height, width) / short, 1.0) ** self.crisp if size is not None else 1.0
        out = z.new_empty(len(z), self.channels, height, width)
        step = rows_per_chunk(width * len(z), self.floats_per_pixel)
        for top in range(0, height, step):
            rows = min(step, height - top)
            out[:, :, top : top + rows] = self._paint(fmap, style, (height, width), top, rows, sharpen)
        return out

    def _coords(self, height: int, width: int, top: int, rows: int, device: torch.device) -> Tensor:
        """Pixel centres of rows ``top..top+rows`` in units where the canvas's shorter side spans
        [-1, 1] (the training square): ``(rows, width, 2)`` as (x, y)."""
        half = min(height, width) / 2
        ys = (torch.arange(top, top + rows, device=device, dtype=torch.float32) + 0.5 - height / 2) / half
        xs = (torch.arange(width, device=device, dtype=torch.float32) + 0.5 - width / 2) / half
        return torch.stack(torch.meshgrid(xs, ys, indexing="xy"), dim=-1)

    def _paint(
        self, fmap: Tensor, style: Tensor, canvas: tuple[int, int], top: int, rows: int, sharpen: float
    ) -> Tensor:
        """Colours of rows ``top..top+rows``: ``(B, C, rows, W)``."""
        batch, width = len(fmap), canvas[1]
        xy = self._coords(*canvas, top, rows, fmap.device)
        h = _modulated(self.feature_in, _read(fmap, xy), style[:, 0])
        freqs = cast(Tensor, self.freqs)  # a buffer
        phase = math.pi * xy.flatten(0, 1) @ freqs  # (P, frequencies)
        position = torch.cat(
            [phase.sin(), phase.cos(), xy.flatten(0, 1), xy.flatten(0, 1).norm(dim=-1, keepdim=True)], 1
        )
        h = h.addcmul_(self.position_in(position)[None], 1 + style[:, 0, 0, None, :])
        h = F.leaky_relu_(h, 0.2)
        for i, layer in enumerate(self.layers, start=1):
            h = F.leaky_relu_(_modulated(cast(nn.Linear, layer), h, style[:, i]), 0.2)
        out = self.head(h)
        if self.colours is not None:  # edges where the logits cross; colours as smooth as the map
            coarse = F.adaptive_avg_pool2d(fmap, min(self.colour_grid, fmap.shape[-1]))
            fields = self.colours(coarse.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)  # (B, K * C, g, g)
            colours = torch.tanh(_read(fields, xy)).unflatten(-1, (self.palette, self.channels))
            rgb = torch.einsum("bpk,bpkc->bpc", torch.softmax(out * sharpen, dim=-1), colours)
        else:
            rgb = torch.tanh(out)
        return rgb.view(batch, rows, width, self.channels).permute(0, 3, 1, 2)


def _read(fmap: Tensor, xy: Tensor) -> Tensor:
    """``fmap`` ``(B, C, g, g)`` read bicubically at the points ``xy`` ``(rows, W, 2)``: ``(B, P, C)``
    (separable weights: two small matmuls; the map reflects beyond its border)."""
    side = fmap.shape[-1]
    down = bicubic_weights(xy[:, 0, 1], side)  # (rows, g)
    across = bicubic_weights(xy[0, :, 0], side)  # (W, g)
    sampled = down @ fmap @ across.T  # (B, C, rows, W)
    return sampled.permute(0, 2, 3, 1).flatten(1, 2)


def _modulated(layer: nn.Linear, h: Tensor, style: Tensor) -> Tensor:
    """``layer(h)`` with each sample's output channels scaled by ``1 + style[:, 0]`` and shifted by
    ``style[:, 1]``, as one batched matmul: ``h`` ``(B, P, in)`` -> ``(B, P, out)``."""
    gain = 1 + style[:, 0]  # (B, out)
    weight = layer.weight[None] * gain[:, :, None]  # (B, out, in)
    bias = layer.bias[None] * gain + style[:, 1] if layer.bias is not None else style[:, 1]
    return torch.baddbmm(bias[:, None, :], h, weight.transpose(1, 2))


def _cubic(t: Tensor, a: float = -0.75) -> Tensor:
    """Keys' cubic convolution kernel (torch's bicubic, ``a = -0.75``) at distances ``t``."""
    t = t.abs()
    near = ((a + 2) * t - (a + 3)) * t * t + 1
    far = ((a * t - 5 * a) * t + 8 * a) * t - 4 * a
    return torch.where(t <= 1, near, torch.where(t < 2, far, torch.zeros_like(t)))


def bicubic_weights(coords: Tensor, side: int) -> Tensor:
    """``(N, side)`` weights that read a row of ``side`` cells bicubically at ``coords`` in
    [-1, 1] (cell edges at +-1, as ``grid_sample(align_corners=False)``), reflecting beyond them."""
    u = (coords + 1) * side / 2 - 0.5
    base = u.floor()
    taps = base[:, None] + torch.arange(-1, 3, device=coords.device, dtype=coords.dtype)  # (N, 4)
    weights = _cubic(u[:, None] - taps)
    index = taps.long().remainder(2 * side)
    index = torch.where(index >= side, 2 * side - 1 - index, index)  # mirror: -1 -> 0, side -> side - 1
    out = torch.zeros(len(coords), side, device=coords.device, dtype=coords.dtype)
    return out.scatter_add_(1, index, weights)


def build(data_shape: tuple[int, ...], *, z_dim: int, d_width: int, classes: int = 0, **params: Any) -> Networks:
    """The cppn's networks for images ``data_shape`` (class-conditional with ``classes`` K > 0);
    ``params`` are the generator's (see :class:`CPPNGenerator`)."""
    if len(data_shape) != 3:
        raise UserInputError(f"architecture 'cppn' needs images (C, H, W), got items of shape {tuple(data_shape)}")
    channels, height, width = data_shape
    G = CPPNGenerator(z_dim, channels, (height, width), classes=classes, **params)
    D = ConvDiscriminator(channels, height, width, d_width, classes=classes)
    G.grid.apply(init_weights)
    D.apply(init_weights)
    return Networks(G, D, z_dim)
