"""``procedural:STYLE``: art drawn by ganvas itself, deterministic by seed (no download)."""

from __future__ import annotations

import torch

from ganvas.data import ImageSet
from ganvas.errors import UnknownNameError
from ganvas.plugins.procedural_styles import STYLES, draw_many


def load(argument: str, *, size: int, channels: int, count: int, seed: int) -> ImageSet:
    style = argument or "circles"
    if style not in STYLES:
        raise UnknownNameError("procedural style", style, STYLES)
    images = torch.from_numpy(draw_many(style, count, size, seed)).permute(0, 3, 1, 2).contiguous()
    if channels == 1:  # ITU-R 601 luma, as Pillow's convert("L")
        weights = torch.tensor([299, 587, 114], dtype=torch.int32).view(1, 3, 1, 1)
        images = ((images.int() * weights).sum(1, keepdim=True) // 1000).to(torch.uint8)
    return ImageSet(images, name=f"procedural:{style}")
