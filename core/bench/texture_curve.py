"""The ``texture`` stylizer's blend curve: how its ``strength`` trades the content for the texture.

At each strength the stylizer (through the plugin host, with its defaults otherwise) repaints a
photo-like picture (the ``landscape`` dataset, seed 0) with a reference texture (``texture:scales``,
green scales, written to a temporary PNG as a user's reference file would be) and the result is
scored on two figures that should move in opposite directions as the strength rises:

- ``content_similarity``: ``1 - MSE(layout(out), layout(in)) / Var(layout(in))``, where ``layout``
  shrinks a picture (area averaging) to 32 px on its longer side: its broad shapes and colours.
  1 is the input's layout; 0 is as far from it as a flat picture of its mean colour.
- ``texture_loss``: the Gram-matrix distance to the reference, summed over 3 scales and the colour
  moments, relative to the reference's Grams' size, measured by a bank of random 7x7 filters of its
  own (not the stylizer's 5x5 bank, nor its seed): an independent judge rather than the stylizer's
  objective. The reference is shrunk to the picture's longer side first, as the stylizer does.

Both should be monotone: similarity falling, texture loss falling as the strength rises.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F
from torch import Tensor

if TYPE_CHECKING:
    from ganvas.plugin import PluginHost

__all__ = ["texture_curve", "content_similarity", "texture_loss", "format_curve"]

_JUDGE_SEED = 12345  # the judge's filter bank: a seed the stylizer is not run with
_JUDGE_FILTERS = 48
_JUDGE_KERNEL = 7
_JUDGE_SCALES = 3
_LAYOUT_SIDE = 32


def _layout(images: Tensor) -> Tensor:
    h, w = images.shape[-2:]
    scale = min(1.0, _LAYOUT_SIDE / max(h, w))
    return F.interpolate(images, size=(max(1, round(h * scale)), max(1, round(w * scale))), mode="area")


def content_similarity(output: Tensor, content: Tensor) -> Tensor:
    """``(B,)``: 1 - MSE of the 32-px layouts of ``output`` and ``content``, over the content layout's variance."""
    ours, theirs = _layout(output.float()), _layout(content.float())
    mse = (ours - theirs).square().flatten(1).mean(1)
    return 1 - mse / theirs.flatten(1).var(1).clamp(min=1e-6)


def _grams(images: Tensor, weight: Tensor) -> list[Tensor]:
    flat = images.flatten(2)
    flat = torch.cat((flat, torch.ones_like(flat[:, :1])), 1)
    out = [flat @ flat.transpose(1, 2) / flat.shape[-1]]
    level = images
    for i in range(_JUDGE_SCALES):
        if i:
            level = F.avg_pool2d(level, 2)
        if min(level.shape[-2:]) <= _JUDGE_KERNEL:
            break
        features = F.relu(F.conv2d(level * 2 - 1, weight)).flatten(2)  # 'valid': no border effects judged
        out.append(features @ features.transpose(1, 2) / features.shape[-1])
    return out


def texture_loss(images: Tensor, reference: Tensor) -> Tensor:
    """``(B,)``: the judge's Gram distance from ``images`` to ``reference`` (same channels), smaller is closer."""
    images, reference = images.float(), reference.float().to(images.device)
    h, w = reference.shape[-2:]
    scale = min(1.0, max(images.shape[-2:]) / max(h, w))
    if scale < 1:
        reference = F.interpolate(reference, size=(max(1, round(h * scale)), max(1, round(w * scale))), mode="area")
    generator = torch.Generator().manual_seed(_JUDGE_SEED)
    weight = torch.randn(_JUDGE_FILTERS, images.shape[1], _JUDGE_KERNEL, _JUDGE_KERNEL, generator=generator)
    weight = weight - weight.mean((2, 3), keepdim=True)
    weight = (weight / weight.flatten(1).norm(dim=1).view(-1, 1, 1, 1)).to(images)
    total = images.new_zeros(images.shape[0])
    for gram, target in zip(_grams(images, weight), _grams(reference, weight)):
        total = total + (gram - target).square().sum((1, 2)) / target.square().sum((1, 2)).clamp(min=1e-8)
    return total


def _default_pictures(host: PluginHost, size: int) -> tuple[Tensor, Tensor]:
    """The landscape (seed 0) as content and the ``scales`` texture as reference, both ``size`` px, in [0, 1]."""
    content = host.get("datasets", "landscape").build("", size=size, count=1, seed=0).data.float().div(255)
    textures = host.get("datasets", "texture").build("scales", size=size, count=1, seed=0, canvas=size)
    return content, textures.data[:1].float().div(255)


def texture_curve(
    host: PluginHost,
    strengths: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0),
    size: int = 256,
    steps: int | None = None,
    *,
    content: Tensor | None = None,
    reference: Tensor | None = None,
) -> list[dict[str, Any]]:
    """Run ``texture`` at each strength; one row per strength (see the module's docstring).

    Each row: ``{"strength": float, "content_similarity": float, "texture_loss": float,
    "seconds": float}`` (seconds: the stylizer's wall time). ``content`` and ``reference``
    (``(1, 3, H, W)`` in [0, 1]) replace the landscape and the scales texture; ``steps`` None
    uses the stylizer's default.
    """
    from ganvas.io import save_png

    if content is None or reference is None:
        default_content, default_reference = _default_pictures(host, size)
        content = default_content if content is None else content
        reference = default_reference if reference is None else reference
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reference.png"
        save_png(reference[0].clamp(0, 1).mul(255).round().byte(), path)
        loaded = _loaded_reference(path)
        for strength in strengths:
            module = host.get("stylizers", "texture").build(
                reference=str(path), strength=float(strength), **({} if steps is None else {"steps": steps})
            )
            module.progress = False
            start = time.perf_counter()
            with torch.no_grad():
                out = module(content)
            seconds = time.perf_counter() - start
            rows.append(
                {
                    "strength": float(strength),
                    "content_similarity": float(content_similarity(out, content).mean()),
                    "texture_loss": float(texture_loss(out, loaded).mean()),
                    "seconds": seconds,
                }
            )
    return rows


def _loaded_reference(path: Path) -> Tensor:
    """The reference as the stylizer reads it (8-bit PNG), ``(1, 3, H, W)`` in [0, 1]."""
    from ganvas.io import open_image, pil_to_tensor

    return pil_to_tensor(open_image(path, channels=3)).unsqueeze(0).float().div(255)


def format_curve(rows: list[dict[str, Any]]) -> str:
    """The curve as a small table: strength, content similarity, texture loss, seconds."""
    lines = [f"{'strength':>8} {'content sim':>11} {'texture loss':>12} {'seconds':>8}"]
    lines += [
        f"{r['strength']:>8.2f} {r['content_similarity']:>11.3f} {r['texture_loss']:>12.4f} {r['seconds']:>8.1f}"
        for r in rows
    ]
    return "\n".join(lines)
