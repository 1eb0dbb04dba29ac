"""``mask``: holes to fill, as LaMa (Suvorov et al. 2022) makes them on the fly: free-form brush
strokes of random width (thin, medium, thick) and axis-aligned boxes, up to a coverage."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw
from torch import Tensor

from ganvas import Corruption

__all__ = ["Mask", "draw_mask", "fill_holes"]

#: Grey that stands for missing pixels in pictures shown to a person (the network sees the smooth fill).
HOLE = 0.5


def _strokes(draw: ImageDraw.ImageDraw, rng: np.random.Generator, h: int, w: int, widest: float) -> None:
    """One brush stroke: a random walk of 2-8 segments, with round joints."""
    side = min(h, w)
    width = max(2, int(side * widest * rng.choice([0.25, 0.5, 1.0])))  # thin, medium, thick
    x, y = rng.uniform(0, w), rng.uniform(0, h)
    angle = rng.uniform(0, 2 * math.pi)
    for _ in range(int(rng.integers(2, 9))):
        angle += rng.uniform(-1.2, 1.2)
        length = rng.uniform(0.1, 0.35) * side
        nx = float(np.clip(x + length * math.cos(angle), 0, w - 1))
        ny = float(np.clip(y + length * math.sin(angle), 0, h - 1))
        draw.line([(x, y), (nx, ny)], fill=255, width=width)
        r = width / 2
        draw.ellipse([nx - r, ny - r, nx + r, ny + r], fill=255)
        x, y = nx, ny


def _box(draw: ImageDraw.ImageDraw, rng: np.random.Generator, h: int, w: int) -> None:
    bh, bw = int(rng.uniform(0.1, 0.4) * h), int(rng.uniform(0.1, 0.4) * w)
    top, left = int(rng.integers(0, max(1, h - bh))), int(rng.integers(0, max(1, w - bw)))
    draw.rectangle([left, top, left + bw, top + bh], fill=255)


def draw_mask(h: int, w: int, rng: np.random.Generator, shapes: str, coverage: float, widest: float) -> np.ndarray:
    """A ``(h, w)`` float mask (1 = missing) of strokes and/or boxes covering at most ``coverage``
    (a shape that would pass it is left out) and at least one hole (when every shape drawn would
    pass it, one square that fits)."""
    mask = Image.new("L", (w, h), 0)
    target = rng.uniform(0.3, 1.0) * coverage
    for _ in range(24):
        trial = mask.copy()
        draw = ImageDraw.Draw(trial)
        box = shapes == "boxes" or (shapes == "both" and rng.random() < 0.3)
        _box(draw, rng, h, w) if box else _strokes(draw, rng, h, w, widest)
        covered = np.asarray(trial, dtype=np.float32).mean() / 255
        if covered > coverage:
            continue
        mask = trial
        if covered >= target:
            break
    if not np.asarray(mask).any():  # every shape drawn passed the coverage: one square hole that fits
        side = min(h, w, max(1, math.isqrt(int(coverage * h * w))))
        top, left = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        ImageDraw.Draw(mask).rectangle([left, top, left + side - 1, top + side - 1], fill=255)
    return (np.asarray(mask, dtype=np.float32) > 127).astype(np.float32)


def fill_holes(images: Tensor, mask: Tensor) -> Tensor:
    """``(B, C, H, W)`` pictures with the pixels ``mask`` ``(B, 1, H, W)`` marks (1 = missing)
    replaced by a smooth guess from their surroundings (push-pull: known pixels averaged down a
    pyramid until no cell is empty, then the averages interpolated back up into the holes); known
    pixels are kept exactly. A picture with nothing known is filled with grey."""
    known = 1 - mask
    levels = [(images * known, known)]
    while bool((levels[-1][1] <= 0).any()) and min(levels[-1][1].shape[-2:]) > 1:
        x, w = levels[-1]
        levels.append((F.avg_pool2d(x, 2, ceil_mode=True), F.avg_pool2d(w, 2, ceil_mode=True)))
    x, w = levels[-1]
    guess = torch.where(w > 0, x / w.clamp_min(1e-8), torch.full_like(x, HOLE))
    for x, w in reversed(levels[:-1]):
        up = F.interpolate(guess, size=x.shape[-2:], mode="bilinear", align_corners=False)
        guess = torch.where(w > 0, x / w.clamp_min(1e-8), up)
    return images * known + guess * mask


class Mask(Corruption):
    """Holes pre-filled smoothly from around them (:func:`fill_holes`), and the mask (1 = missing)
    as an extra last channel."""

    masks = True

    def __init__(self, shapes: str = "both", coverage: float = 0.25, width: float = 0.08) -> None:
        self.shapes, self.coverage, self.width = shapes, coverage, width

    def __call__(self, images: Tensor, generator: torch.Generator) -> Tensor:
        b, _, h, w = images.shape
        seeds = torch.randint(0, 2**62, (b,), generator=generator, device=generator.device).tolist()
        masks = [draw_mask(h, w, np.random.default_rng(s), self.shapes, self.coverage, self.width) for s in seeds]
        mask = torch.from_numpy(np.stack(masks)).unsqueeze(1).to(images)
        return torch.cat([fill_holes(images, mask), mask], dim=1)

    def prepare(self, images: Tensor, mask: Tensor | None = None) -> Tensor:
        """A user's picture and mask as the network saw them in training: the holes pre-filled."""
        prepared = super().prepare(images, mask)
        holes = prepared[:, -1:]
        return torch.cat([fill_holes(prepared[:, :-1], holes), holes], dim=1)
