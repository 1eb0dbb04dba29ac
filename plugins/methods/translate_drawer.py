"""The drawer of an image-to-image run (``pix2pix``, ``cycle``): it repairs or restyles pictures.

``translate`` is what ``ganvas restore`` and the ``model`` stylizer call: a user's pictures in
[0, 1] go through the corruption's ``prepare`` (enlarged for super-resolution, made grey for
colourising, holes marked from a mask), the generator in overlapping tiles, and for a masking
corruption back onto the known pixels. ``draw`` (what ``ganvas sample`` and ``ganvas run`` draw)
shows, for each seed, a picture the run held out of training, damaged with that seed, beside
its repair: before | after.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from ganvas import UserInputError
from ganvas.drawing import DEFAULT_OVERLAP, DEFAULT_TILE, ensembled, tiled
from ganvas.training import Drawer, corrupt, prepare

__all__ = ["TranslateDrawer", "seed_generator"]


def seed_generator(seed: int, device: torch.device) -> torch.Generator:
    """The corruption RNG of one drawn seed: the same damage whatever is drawn beside it."""
    return torch.Generator(device=device).manual_seed(10_000_019 + int(seed))


class TranslateDrawer(Drawer):
    """A trained image-to-image generator: :meth:`translate` for pictures, :meth:`draw` for seeds."""

    translates = True

    def __init__(self, generator: nn.Module, corruption: Any, demos: Tensor, device: torch.device, label: str) -> None:
        self.generator, self.corruption, self.device, self.label = generator, corruption, device, label
        self.demos = demos  # held-out pictures in [-1, 1], (N, C, H, W)
        self.native_size = tuple(demos.shape[-2:]) if len(demos) else None  # type: ignore[assignment]
        self.needs_mask = bool(getattr(corruption, "masks", False))
        self.translate_scale = int(getattr(corruption, "scale", 1))
        self.channels = int(getattr(generator, "out_channels", demos.shape[1]))
        self.tile = DEFAULT_TILE

    def latents(self, seeds: list[int], labels: list[int] | None = None) -> Tensor:
        """The seeds themselves, one row each (they pick a held-out picture and its damage)."""
        if not len(self.demos):
            raise UserInputError(
                f"{self.label}: the run held no pictures out of training to show; use ganvas restore RUN IMAGE"
            )
        return torch.tensor(seeds, dtype=torch.float64).unsqueeze(1)

    @torch.no_grad()
    def run_network(self, inputs: Tensor) -> Tensor:
        """The generator on network inputs in [-1, 1] (colour channels, and a mask channel), in tiles."""
        was = self.generator.training
        self.generator.eval()
        try:
            run = lambda x: tiled(self.generator, x, tile=self.tile, overlap=DEFAULT_OVERLAP)  # noqa: E731
            out = ensembled(run, inputs.to(self.device), self.ensemble)
        finally:
            self.generator.train(was)
        return out.clamp(-1, 1)

    def _composite(self, inputs: Tensor, out: Tensor) -> Tensor:
        """For holes: the known pixels kept exactly, the network's only where the mask says."""
        if not self.needs_mask:
            return out
        mask = (inputs[:, -1:] > 0).to(out)
        return inputs[:, : out.shape[1]] * (1 - mask) + out * mask

    @torch.no_grad()
    def translate(self, images: Tensor, mask: Tensor | None = None) -> Tensor:
        """Repair (or restyle) ``(B, C, h, w)`` pictures in [0, 1]; ``mask`` ``(B, 1, h, w)``, 1 =
        missing, for an inpainting run. Returns ``(B, C, h*scale, w*scale)`` in [0, 1]."""
        holes = None if mask is None else mask.to(self.device)
        inputs = prepare(self.corruption, images.to(self.device).float(), holes)
        inputs = inputs * 2 - 1
        out = self._composite(inputs, self.run_network(inputs))
        return out.add(1).div(2).clamp(0, 1)

    @torch.no_grad()
    def pairs(self, seeds: list[int]) -> tuple[Tensor, Tensor, Tensor]:
        """For each seed: the damaged held-out picture (what the network sees, holes grey), its
        repair and the clean picture, all ``(B, C, H, W)`` in [-1, 1]."""
        damaged, repaired, clean = [], [], []
        for seed in seeds:
            picture = self.demos[int(seed) % len(self.demos)].unsqueeze(0).to(self.device)
            inputs = (
                corrupt(self.corruption, picture.add(1).div(2), seed_generator(seed, self.device), self.label) * 2 - 1
            )
            out = self._composite(inputs, self.run_network(inputs))
            c = picture.shape[1]
            damaged.append(inputs[:, :c])
            repaired.append(out)
            clean.append(picture)
        return torch.cat(damaged), torch.cat(repaired), torch.cat(clean)

    def draw(
        self, latents: Tensor, *, truncation: float = 1.0, size: tuple[int, int] | None = None, tile: bool = False
    ) -> Tensor:
        """Before | after, side by side: ``(B, C, H, 2W)``."""
        damaged, repaired, _ = self.pairs([int(s) for s in latents[:, 0].tolist()])
        return torch.cat([damaged, repaired], dim=-1)
