"""The drawer of a ``cycle`` run: it restyles pictures from domain A into domain B, or back.

``translate`` is what ``ganvas restore`` and the ``model`` stylizer call: a user's pictures in
[0, 1], of any size, go through the A->B generator in overlapping tiles (so a poster-sized
picture needs no more memory than a tile); a grey picture into a colour model goes in with its
luma repeated, a colour one into a grey model as its luma, and the result comes back with the
channels it was given. :meth:`CycleDrawer.reversed` is the drawer that goes B->A
(``ganvas restore --reverse``). ``draw`` (what ``ganvas sample`` and ``ganvas run`` draw) shows,
for each seed, a picture the run held out of training beside its translation: before | after.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganvas import UserInputError
from ganvas.drawing import DEFAULT_OVERLAP, DEFAULT_TILE, ensembled, fit_channels, tiled
from ganvas.training import Drawer

__all__ = ["CycleDrawer"]


class CycleDrawer(Drawer):
    """One direction of a trained ``cycle`` run: :meth:`translate` for pictures, :meth:`draw` for seeds.

    ``forward`` is the generator of this direction, ``backward`` the other one (for
    :meth:`reversed`); ``demos`` and ``demos_back`` are pictures of this direction's input and
    output domains in [-1, 1], ``(N, C, H, W)``. ``tile`` and ``overlap`` set the tiled running."""

    translates = True

    def __init__(
        self,
        forward: nn.Module,
        backward: nn.Module,
        demos: Tensor,
        demos_back: Tensor,
        device: torch.device,
        label: str,
        *,
        direction: str = "A->B",
        tile: int = DEFAULT_TILE,
        overlap: int = DEFAULT_OVERLAP,
    ) -> None:
        self.generator, self.backward, self.device, self.label = forward, backward, device, label
        self.demos, self.demos_back, self.direction = demos, demos_back, direction
        self.channels = int(getattr(forward, "in_channels", demos.shape[1]))  # what the network takes
        self.native_size = tuple(demos.shape[-2:]) if len(demos) else None  # type: ignore[assignment]
        self.tile, self.overlap = tile, overlap

    def reversed(self) -> CycleDrawer:
        """The drawer of the other direction (B->A for an A->B drawer), sharing the networks."""
        direction = "B->A" if self.direction == "A->B" else "A->B"
        return CycleDrawer(
            self.backward,
            self.generator,
            self.demos_back,
            self.demos,
            self.device,
            self.label,
            direction=direction,
            tile=self.tile,
            overlap=self.overlap,
        )

    @torch.no_grad()
    def run(self, inputs: Tensor, generator: nn.Module | None = None) -> Tensor:
        """This direction's generator (or ``generator``) on ``(B, C, H, W)`` pictures in [-1, 1], in tiles."""
        net = self.generator if generator is None else generator
        was = net.training
        net.eval()
        try:
            run = lambda x: tiled(net, x, tile=self.tile, overlap=self.overlap)  # noqa: E731
            out = ensembled(run, inputs.to(self.device), self.ensemble)
        finally:
            net.train(was)
        return out.clamp(-1, 1)

    @torch.no_grad()
    def translate(self, images: Tensor, mask: Tensor | None = None) -> Tensor:
        """Restyle ``(B, C, h, w)`` pictures in [0, 1] -> ``(B, C, h, w)`` in [0, 1] (``mask`` is
        not used: a cycle run restyles whole pictures)."""
        if images.ndim != 4:
            raise UserInputError(f"{self.label}: expected pictures (B, C, H, W), got shape {tuple(images.shape)}")
        have = images.shape[1]
        inputs = fit_channels(images.to(self.device).float(), self.channels)[0] * 2 - 1
        out = self.run(inputs).add(1).div(2)
        return fit_channels(out, have)[0].clamp(0, 1)

    def latents(self, seeds: list[int], labels: list[int] | None = None) -> Tensor:
        """The seeds themselves, one row each (seed ``s`` shows picture ``s`` mod their number: held out
        of training going A->B; for the reversed drawer, target pictures it trained on)."""
        if not len(self.demos):
            raise UserInputError(
                f"{self.label}: the run held no pictures out of training to show; use ganvas restore RUN IMAGE"
            )
        return torch.tensor(seeds, dtype=torch.float64).unsqueeze(1)

    @torch.no_grad()
    def pairs(self, seeds: list[int]) -> tuple[Tensor, Tensor]:
        """For each seed: one of the drawer's pictures and its translation, both ``(B, C, H, W)`` in [-1, 1]."""
        pictures = torch.stack([self.demos[int(s) % len(self.demos)] for s in seeds]).to(self.device)
        return pictures, self.run(pictures)

    def draw(
        self, latents: Tensor, *, truncation: float = 1.0, size: tuple[int, int] | None = None, tile: bool = False
    ) -> Tensor:
        """Before | after, side by side: ``(B, C, H, 2W)`` in [-1, 1]."""
        before, after = self.pairs([int(s) for s in latents[:, 0].tolist()])
        return torch.cat([before, after], dim=-1)

    def __repr__(self) -> str:
        return f"CycleDrawer({self.direction}, tile={self.tile})"
