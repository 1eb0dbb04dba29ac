"""Drawing a trained ``pyramid``: variations at any size, from a chosen scale, from a picture
given at draw time, and super-resolution.

- A seed's latent becomes one noise map per stage (:func:`hash_noise`), so a drawing at another
  size or aspect ratio runs the same pyramid, each scale's ratio to the finest kept.
- ``at = N`` keeps the scales below ``N`` from the training picture (its reconstruction) and
  draws fresh noise from scale ``N`` up: ``N`` near the top varies only the fine detail.
- ``inject = PICTURE`` (with ``at = N``) starts from that picture, shrunk to scale ``N - 1`` and
  refined by scales ``N`` and up: paint-to-image and harmonisation (SinGAN).
- ``enlarge = F`` applies the finest stage again and again above the training size, each time
  ``1 / scale_factor`` larger, to the training picture (or the injected one): super-resolution.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from ganvas import UserInputError
from ganvas.plugins.datasets.image import load as load_picture
from ganvas.plugins.datasets.image import picture_channels
from ganvas.plugins.methods.pyramid_nets import LATENT, NOISE, PyramidGenerator, hash_noise, upsample
from ganvas.seeds import latents_for_seeds, truncate
from ganvas.training import Drawer

__all__ = ["PyramidDrawer", "resize", "scaled_sizes"]

#: How far an injected picture's aspect ratio may differ from the drawing's (relative).
ASPECT_TOLERANCE = 0.03


def resize(image: Tensor, size: tuple[int, int]) -> Tensor:
    """``image`` resized to ``size`` (antialiased when shrinking), in [-1, 1]."""
    if tuple(image.shape[-2:]) == tuple(size):
        return image
    return F.interpolate(image, size=size, mode="bicubic", align_corners=False, antialias=True).clamp(-1, 1)


def scaled_sizes(sizes: list[tuple[int, int]], canvas: tuple[int, int]) -> list[tuple[int, int]]:
    """The pyramid's scales for a canvas of another size: each scale's ratio to the finest kept."""
    height, width = sizes[-1]
    return [(max(1, round(canvas[0] * h / height)), max(1, round(canvas[1] * w / width))) for h, w in sizes]


class PyramidDrawer(Drawer):
    """Draws a trained pyramid: seeds -> latents -> noise maps at every scale -> a picture."""

    any_size = True
    injects = True
    enlarges = True

    def __init__(
        self,
        G: PyramidGenerator,
        sizes: list[tuple[int, int]],
        amps: list[float],
        rec_noise: Tensor,
        picture: Tensor,
        scale_factor: float,
    ) -> None:
        self.G, self.sizes, self.amps, self.rec_noise = G, sizes, amps, rec_noise
        self.picture, self.factor = picture, scale_factor
        self.device = picture.device
        self.native_size = sizes[-1]
        self.scales = len(sizes)

    def latents(self, seeds: list[int], labels: list[int] | None = None) -> Tensor:
        return latents_for_seeds(seeds, LATENT, self.device)  # one picture: no classes

    @torch.no_grad()
    def draw(
        self,
        latents: Tensor,
        *,
        truncation: float = 1.0,
        size: tuple[int, int] | None = None,
        tile: bool = False,
        at: int = 0,
        inject: str = "",
        enlarge: float = 1.0,
    ) -> Tensor:
        sizes = self.sizes if size is None else scaled_sizes(self.sizes, size)
        z = truncate(latents.to(self.device), truncation)
        base = self._base(sizes, at, inject, enlarge > 1) if (at or inject or enlarge > 1) else None
        was = self.G.training
        self.G.eval()
        try:
            rows = [self._one(row[None], sizes, at, base, enlarge) for row in z]
        finally:
            self.G.train(was)
        return torch.cat(rows).clamp(-1, 1)

    def _one(self, z: Tensor, sizes: list[tuple[int, int]], at: int, base: Tensor | None, enlarge: float) -> Tensor:
        if enlarge > 1:
            return self.enlarged(base, z, enlarge)  # type: ignore[arg-type]
        noises = [hash_noise(z, k, s) for k, s in enumerate(sizes)][at:]
        if not noises:  # at = scales: the picture itself
            return base  # type: ignore[return-value]
        return self.G(noises, self.amps, start=at, below=base)

    @torch.no_grad()
    def reconstruction(self, scales: int | None = None) -> Tensor:
        """The fixed-noise path through the first ``scales`` scales (default: all), at their native
        size: how closely the pyramid gives the training picture back (the bench's yardstick for a
        copy)."""
        top = self.scales if scales is None else scales
        noises = [self.rec_noise] + [torch.zeros(1, NOISE, *s, device=self.device) for s in self.sizes[1:top]]
        was = self.G.training
        self.G.eval()
        try:
            return self.G(noises, self.amps).clamp(-1, 1)
        finally:
            self.G.train(was)

    def _base(self, sizes: list[tuple[int, int]], at: int, inject: str, enlarging: bool) -> Tensor:
        """What the scales from ``at`` refine: the injected picture or the training picture's
        reconstruction, at scale ``at - 1`` (at 0: at scale 0 itself); the finest scale's size
        when enlarging."""
        below = sizes[max(0, at - 1)] if at < len(sizes) and not enlarging else sizes[-1]
        if inject:
            return resize(self._injected(inject, sizes[-1]), below)
        if at == 0 or at >= len(sizes) or enlarging:
            return resize(self.picture, below)
        return resize(self.reconstruction(at), below)

    def _injected(self, argument: str, canvas: tuple[int, int]) -> Tensor:
        """The picture ``argument`` names (a file, or a built-in picture's name), checked against
        the run's channels and the drawing's aspect ratio, in [-1, 1] ``(1, C, h, w)``."""
        channels = self.picture.shape[1]
        found = picture_channels(argument)
        if found is not None and found != channels:
            kinds = {1: "greyscale", 3: "colour"}
            raise UserInputError(
                f"--inject '{argument}' is {kinds[found]} but this run draws {kinds[channels]} pictures "
                f"({channels} channel{'s' if channels > 1 else ''}); convert the picture first"
            )
        found_set = load_picture(argument, size=max(canvas) * 2, channels=channels, seed=0, note_small=False)
        picture = found_set.batch(torch.tensor([0]))
        height, width = picture.shape[-2:]
        if abs((width / height) / (canvas[1] / canvas[0]) - 1) > ASPECT_TOLERANCE:
            raise UserInputError(
                f"--inject '{argument}' is {width}x{height} px, another shape than the drawing's {canvas[1]}x{canvas[0]}; "
                f"crop it to {canvas[1]}:{canvas[0]}, or draw at its shape with --size {width}x{height}"
            )
        return picture.to(self.device)

    def enlarged(self, picture: Tensor, z: Tensor, factor: float) -> Tensor:
        """``picture`` ``factor`` times larger: upsampled ``1 / scale_factor`` at a time (the
        last step exact), each time refined by the finest stage with its noise (SinGAN's SR)."""
        steps = max(1, round(math.log(factor) / math.log(1 / self.factor)))
        height, width = picture.shape[-2:]
        top, x = len(self.sizes) - 1, picture
        for i in range(1, steps + 1):
            grow = factor ** (i / steps)
            size = (round(height * grow), round(width * grow))
            up = upsample(x, size)
            x = up + self.G.stages[top](up, self.amps[top] * hash_noise(z, top + i, size))
        return x
