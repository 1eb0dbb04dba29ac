"""Spatial GAN for textures (Jetchev, Bergmann & Vollgraf: Spatial GAN 2016, Periodic Spatial GAN
2017): a fully convolutional generator on a grid of latent cells, so it paints canvases of any
size, and seamless tiles.

Each cell of the grid holds three kinds of noise, all functions of the seed's latent ``z`` and
the cell's position, so a walk through ``z`` moves all of them smoothly:

- *global*: a vector from ``z``, the same in every cell (the texture's overall character);
- *local*: per cell, a different fixed random projection of ``z`` (a counter-based hash of the
  cell's coordinates: the same cell gets the same projection at any canvas size), so a larger
  canvas keeps varying instead of repeating;
- *periodic*: sines whose wave vectors and phases ``z`` chooses (regular structure: bricks,
  weaves, rows of scales).

Nearest-neighbour resize + 3x3 convolution doubles the grid ``levels`` times (one cell becomes
``2 ** levels`` pixels). Large canvases are painted in tiles of cells with a halo wider than the
network's reach, so memory stays bounded and the result does not depend on the tiling.
``tile=True`` wraps the grid around (cell indices modulo the grid, periodic wave vectors rounded
to whole cycles across the tile): opposite edges of the picture then match exactly.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from ganvas.errors import UserInputError
from ganvas.plugins.models.blocks import ConvDiscriminator, init_weights
from ganvas.training import Networks

__all__ = ["SpatialGenerator", "hash_normal", "build"]

_MASK = 0xFFFFFFFF
#: Cells of context each side of a rendered tile: more than the generator's reach (< 2 cells).
HALO = 3
#: Cells a side rendered at once (a 128-cell tile of 8-px cells is 1024 px).
TILE_CELLS = 128


def _mix(x: Tensor) -> Tensor:
    """A 32-bit integer hash (lowbias32) of int64 tensors holding unsigned 32-bit values."""
    x = x ^ (x >> 16)
    x = (x * 0x7FEB352D) & _MASK
    x = x ^ (x >> 15)
    x = (x * 0x846CA68B) & _MASK
    return x ^ (x >> 16)


def hash_normal(rows: Tensor, cols: Tensor, channels: int, depth: int) -> Tensor:
    """Standard-normal values ``(len(rows), len(cols), channels, depth)`` that depend only on each
    (row, column, channel, depth) index: the same at any canvas size, on any device."""
    i = rows.long()[:, None, None, None] & _MASK
    j = cols.long()[None, :, None, None] & _MASK
    c = torch.arange(channels, device=rows.device)[None, None, :, None]
    k = torch.arange(depth, device=rows.device)[None, None, None, :]
    h = _mix(_mix(_mix(_mix((k * 0x9E3779B1 + 0x632BE5AB) & _MASK) ^ c) ^ i) ^ j)
    uniform = (h.double() + 0.5) / 2.0**32
    return torch.special.ndtri(uniform).float()


class SpatialGenerator(nn.Module):
    """z ``(B, z_dim)`` -> textures ``(B, C, H, W)`` in [-1, 1]; see the module docstring."""

    def __init__(
        self,
        z_dim: int,
        channels: int,
        train_size: tuple[int, int],
        *,
        levels: int,
        width: int,
        global_channels: int,
        local_channels: int,
        periodic: int,
    ) -> None:
        super().__init__()
        self.z_dim, self.channels, self.train_size = z_dim, channels, train_size
        self.cell, self.local_channels, self.periodic = 2**levels, local_channels, periodic
        self.to_global = nn.Linear(z_dim, global_channels)
        self.to_waves = (
            nn.Sequential(nn.Linear(z_dim, 64), nn.ReLU(), nn.Linear(64, 3 * periodic)) if periodic else None
        )
        widths = [min(width * 2 ** (levels - 1 - i), 512) for i in range(levels)]
        inputs = global_channels + local_channels + periodic
        layers: list[nn.Module] = [
            nn.Conv2d(inputs, widths[0], 3, 1, 1, bias=False),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(),
        ]
        for a, b in zip(widths[:-1], widths[1:]):
            layers += [nn.Upsample(scale_factor=2), nn.Conv2d(a, b, 3, 1, 1, bias=False), nn.BatchNorm2d(b), nn.ReLU()]
        layers += [nn.Upsample(scale_factor=2), nn.Conv2d(widths[-1], channels, 3, 1, 1), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: Tensor, size: tuple[int, int] | None = None, tile: bool = False) -> Tensor:
        height, width = size or self.train_size
        cell = self.cell
        if tile and (height % cell or width % cell):
            raise UserInputError(
                f"--tile needs a canvas whose sides are multiples of {cell} px for this run, got {width}x{height}; "
                f"try {_nearest(width, cell)}x{_nearest(height, cell)}"
            )
        grid = (math.ceil(height / cell), math.ceil(width / cell))
        if size is None and self.training:  # training crops: random cell offsets, so no cell is special
            offsets = torch.randint(0, 1 << 20, (len(z), 2), device=z.device)
            return self._paint(z, grid, (0, grid[0]), (0, grid[1]), offsets, tile)[..., :height, :width]
        out = z.new_empty(len(z), self.channels, height, width)
        zero = torch.zeros(len(z), 2, dtype=torch.long, device=z.device)
        for top in range(0, grid[0], TILE_CELLS):
            for left in range(0, grid[1], TILE_CELLS):
                rows, cols = (top, min(top + TILE_CELLS, grid[0])), (left, min(left + TILE_CELLS, grid[1]))
                part = self._paint(z, grid, rows, cols, zero, tile)
                y, x = top * cell, left * cell
                out[:, :, y : y + part.shape[2], x : x + part.shape[3]] = part[:, :, : height - y, : width - x]
        return out

    def _paint(
        self,
        z: Tensor,
        grid: tuple[int, int],
        rows: tuple[int, int],
        cols: tuple[int, int],
        offsets: Tensor,
        tile: bool,
    ) -> Tensor:
        """Pixels of the cells ``rows`` x ``cols`` of a ``grid`` canvas, painted with a halo of
        neighbouring cells (wrapped around with ``tile``) that is cut off again."""
        if tile:
            span_r = torch.arange(rows[0] - HALO, rows[1] + HALO, device=z.device)
            span_c = torch.arange(cols[0] - HALO, cols[1] + HALO, device=z.device)
            cut = (HALO, HALO)
        else:  # clip at the canvas border, where the full canvas's zero padding is too
            span_r = torch.arange(max(rows[0] - HALO, 0), min(rows[1] + HALO, grid[0]), device=z.device)
            span_c = torch.arange(max(cols[0] - HALO, 0), min(cols[1] + HALO, grid[1]), device=z.device)
            cut = (rows[0] - int(span_r[0]), cols[0] - int(span_c[0]))
        cells = self._cells(z, span_r, span_c, grid, offsets, tile)
        pixels = self.net(cells)
        c = self.cell
        top, left = cut[0] * c, cut[1] * c
        return pixels[:, :, top : top + (rows[1] - rows[0]) * c, left : left + (cols[1] - cols[0]) * c]

    def _cells(
        self, z: Tensor, rows: Tensor, cols: Tensor, grid: tuple[int, int], offsets: Tensor, tile: bool
    ) -> Tensor:
        """The latent cells at grid positions ``rows`` x ``cols``: ``(B, inputs, len(rows), len(cols))``."""
        batch = len(z)
        if tile:
            rows, cols = rows.remainder(grid[0]), cols.remainder(grid[1])
        parts = [self.to_global(z)[:, :, None, None].expand(-1, -1, len(rows), len(cols))]
        if self.local_channels:
            noise = []
            for b in range(batch):  # each sample's own cell offset (training); zero when drawing
                basis = hash_normal(rows + offsets[b, 0], cols + offsets[b, 1], self.local_channels, self.z_dim)
                noise.append(torch.einsum("ijck,k->cij", basis.to(z.dtype), z[b]) / math.sqrt(self.z_dim))
            parts.append(torch.stack(noise))
        if self.to_waves is not None:
            waves = self.to_waves(z).view(batch, 3, self.periodic)
            k_row, k_col = 0.5 * torch.tanh(waves[:, 0]), 0.5 * torch.tanh(waves[:, 1])  # cycles per cell
            if tile:  # whole cycles across the tile, so the waves wrap too
                k_row = torch.round(k_row * grid[0]) / grid[0]
                k_col = torch.round(k_col * grid[1]) / grid[1]
            r = (rows[None, :] + offsets[:, :1]).to(z.dtype)  # (B, rows)
            q = (cols[None, :] + offsets[:, 1:]).to(z.dtype)
            angle = k_row[:, :, None, None] * r[:, None, :, None] + k_col[:, :, None, None] * q[:, None, None, :]
            parts.append(torch.sin(2 * math.pi * angle + math.pi * waves[:, 2, :, None, None]))
        return torch.cat(parts, dim=1)


def _nearest(side: int, cell: int) -> int:
    return max(cell, round(side / cell) * cell)


def build(data_shape: tuple[int, ...], *, z_dim: int, levels: int, d_width: int, **params: Any) -> Networks:
    """The spatial GAN's networks for crops ``data_shape``; ``params`` are the generator's (see
    :class:`SpatialGenerator`)."""
    if len(data_shape) != 3:
        raise UserInputError(f"architecture 'spatial' needs images (C, H, W), got items of shape {tuple(data_shape)}")
    channels, height, width = data_shape
    cell = 2**levels
    if height % cell or width % cell:
        raise UserInputError(
            f"architecture 'spatial' with levels = {levels} paints {cell}-px cells: data.size must be a multiple "
            f"of {cell}, got {height}x{width}"
        )
    G = SpatialGenerator(z_dim, channels, (height, width), levels=levels, **params)
    D = ConvDiscriminator(channels, height, width, d_width, patch=True)
    G.net.apply(init_weights)
    D.apply(init_weights)
    return Networks(G, D, z_dim)
