"""``texture``: style/texture transfer by Gram-matrix optimisation, with no pretrained network.

Gatys et al. (2015) showed that the correlations (Gram matrices) of a convolutional network's
features capture a texture; Ustyuzhaninov et al. (ICLR 2017) showed that a single layer of
*random* filters applied at several scales is enough. So: one bank of random 5x5 filters
(+ ReLU) is applied to an image pyramid; the picture is optimised (L-BFGS, ``steps`` steps) so
that its Gram matrices at every scale, and its colour statistics, match the reference's, while
its coarsest pyramid level stays close to the input's (the content: layout and colours).
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor
from tqdm import tqdm

from .base import checked
from .ops import gaussian_blur, resize, seeded_generator
from .references import ReferenceModule, match_channels

__all__ = ["texture", "Texture"]

_FILTERS = 32  # random filters in the bank
_KERNEL = 5  # their size
_LEVELS = 4  # pyramid levels: the filters see textures up to about 5 * 2^3 = 40 px across


class _RandomFeatures:
    """A fixed bank of random, zero-mean filters applied with ReLU to each level of a pyramid."""

    def __init__(self, channels: int, generator: torch.Generator, like: Tensor) -> None:
        weight = torch.randn(_FILTERS, channels, _KERNEL, _KERNEL, generator=generator)
        weight = weight - weight.mean((2, 3), keepdim=True)  # respond to structure, not to flat colour
        self.weight = (weight / weight.flatten(1).norm(dim=1).view(-1, 1, 1, 1)).to(like)

    def grams(self, images: Tensor) -> list[Tensor]:
        """Gram matrices ``(B, F, F)`` of the features at each pyramid level, plus the colour moments."""
        out = [_colour_moments(images)]
        level = images
        for i in range(_LEVELS):
            if i:
                if min(level.shape[-2:]) < 2 * _KERNEL:
                    break
                level = gaussian_blur(level, 1.0)[..., ::2, ::2]  # smooth: avg-pooling's gradients are blocky
            padded = F.pad(level * 2 - 1, (_KERNEL // 2,) * 4, mode="replicate")  # zeros would darken the borders
            features = F.relu(F.conv2d(padded, self.weight)).flatten(2)
            out.append(features @ features.transpose(1, 2) / features.shape[-1])
        return out


def _colour_moments(images: Tensor) -> Tensor:
    """``(B, C+1, C+1)``: the colours' means and second moments (a Gram matrix of ``[rgb, 1]``)."""
    flat = images.flatten(2)
    flat = torch.cat((flat, torch.ones_like(flat[:, :1])), 1)
    return flat @ flat.transpose(1, 2) / flat.shape[-1]


def _style_loss(grams: list[Tensor], targets: list[Tensor]) -> Tensor:
    """Sum over levels of the squared Gram difference, relative to the target's size."""
    total = grams[0].new_zeros(())
    for gram, target in zip(grams, targets):
        total = total + (gram - target).square().sum((1, 2)).div(target.square().sum((1, 2)).clamp(min=1e-8)).sum()
    return total


def _coarse(images: Tensor) -> Tensor:
    """The content the optimisation keeps: the picture's broad shapes and colours (a 3-px blur)."""
    return gaussian_blur(images, 3.0)


def texture(
    images: Tensor,
    reference: Tensor,
    progress: bool | None = None,
    *,
    steps: int = 40,
    strength: float = 1.0,
    content: float = 1.0,
    size: int = 256,
    seed: int = 0,
) -> Tensor:
    """Repaint ``(B, C, H, W)`` images in [0, 1] with the texture of ``reference``; same shape out.

    Args:
        reference: ``(1, 3 or C, h, w)`` texture image in [0, 1]; larger than the working size,
            it is shrunk to it.
        progress: show a progress bar (None: only on a terminal).
        steps: L-BFGS iterations (the time budget); 0 returns the input.
        strength: weight of matching the texture (0-1000).
        content: weight of keeping the input's layout and colours (0-1000).
        size: working resolution, the longer side in pixels; the result is resized back.
        seed: seed of the random filters and of the starting noise.
    """
    images = checked("texture", images, steps=steps, strength=strength, content=content, size=size, seed=seed)
    if steps == 0:
        return images
    b, c, h, w = images.shape
    work = resize(images, _fit(h, w, size), "area")
    ref = match_channels(reference, images)
    ref = resize(ref, _fit(ref.shape[-2], ref.shape[-1], size), "area")
    generator = seeded_generator(seed)
    net = _RandomFeatures(c, generator, images)
    with torch.no_grad():
        targets = [t.expand(b, -1, -1) for t in net.grams(ref)]
        target_content = _coarse(work)
    start = work + 0.05 * torch.randn(work.shape, generator=generator).to(work)
    # contiguous: L-BFGS views the gradient flat, which fails for channels-last inputs (PIL images)
    canvas = start.clamp(0, 1).contiguous().requires_grad_(True)
    optimizer = _lbfgs(canvas, steps)
    bar = tqdm(
        total=steps, desc="texture", unit="step", leave=False, disable=None if progress is None else not progress
    )

    def closure() -> Tensor:
        optimizer.zero_grad(set_to_none=True)
        picture = canvas.clamp(0, 1)
        loss = strength * _style_loss(net.grams(picture), targets)
        loss = loss + content * 20 * (_coarse(picture) - target_content).square().mean()
        loss.backward()
        bar.update(min(optimizer.state[canvas].get("n_iter", 0), steps) - bar.n)
        return loss

    with torch.enable_grad():
        optimizer.step(closure)  # L-BFGS with a strong-Wolfe line search, ``steps`` iterations
    bar.close()
    out = canvas.detach().clamp(0, 1)
    return resize(out, (h, w), "bicubic").clamp(0, 1) if out.shape[-2:] != (h, w) else out


def _lbfgs(canvas: Tensor, steps: int) -> torch.optim.LBFGS:
    """L-BFGS over the canvas pixels for exactly ``steps`` iterations (no early stop)."""
    return torch.optim.LBFGS(
        [canvas],
        lr=1,
        max_iter=steps,
        history_size=10,
        line_search_fn="strong_wolfe",
        tolerance_grad=0,
        tolerance_change=0,
    )


def _fit(h: int, w: int, longest: int) -> tuple[int, int]:
    """``(h, w)`` shrunk (never enlarged) so that the longer side is at most ``longest``."""
    scale = min(1.0, longest / max(h, w))
    return max(1, round(h * scale)), max(1, round(w * scale))


class Texture(ReferenceModule, function=texture):
    """Gram-matrix texture transfer with a random-weight network (see :func:`texture`)."""

    stylizer = "texture"
    #: show a progress bar: None (only on a terminal), True or False
    progress: bool | None = None

    def extra_arguments(self) -> dict[str, Any]:
        return {**super().extra_arguments(), "progress": self.progress}
