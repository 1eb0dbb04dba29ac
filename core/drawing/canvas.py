"""Canvas sizes: what ``[sample]`` asks for, the memory budget, and whether a run paints a size
natively (architectures with the ``any_size`` trait) or has its pictures resized to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F

from ganvas.errors import UserInputError
from ganvas.recipe import SampleConfig

if TYPE_CHECKING:
    from ganvas.drawing.sampler import LoadedRun

__all__ = ["MAX_CANVAS_PIXELS", "canvas_of", "fit_canvas", "check_canvas_budget", "check_drawable"]


def canvas_of(settings: SampleConfig) -> tuple[int, int] | None:
    """``(H, W)`` the ``[sample]`` settings ask for, or None for the model's own size."""
    if not settings.size:
        return None
    return (settings.height or settings.size, settings.size)


def fit_canvas(images01: torch.Tensor, canvas: tuple[int, int]) -> torch.Tensor:
    """Bicubic resize of ``(B, C, h, w)`` to cover ``canvas`` (H, W), then a centre crop to it."""
    height, width = canvas
    h, w = images01.shape[-2:]
    scale = max(height / h, width / w)
    cover = (max(height, round(h * scale)), max(width, round(w * scale)))
    if cover != (h, w):
        shrink = cover[0] < h
        images01 = F.interpolate(images01, size=cover, mode="bicubic", align_corners=False, antialias=shrink)
    top, left = (cover[0] - height) // 2, (cover[1] - width) // 2
    return images01[..., top : top + height, left : left + width].clamp(0, 1)


#: The most float32 RGB pixels drawn at once (about 1.6 GB, before the stylizers' own working copies).
MAX_CANVAS_PIXELS = 2**27


def check_canvas_budget(count: int, canvas: int | tuple[int, int] | None) -> None:
    """Refuse, before allocating, to draw ``count`` images of ``canvas`` (side or (H, W)) at once
    beyond the budget."""
    if not canvas:
        return
    height, width = (canvas, canvas) if isinstance(canvas, int) else canvas
    if count * height * width > MAX_CANVAS_PIXELS:
        gigabytes = count * height * width * 3 * 4 / 1e9
        raise UserInputError(
            f"drawing {count} image(s) of {width}x{height} at once needs about {gigabytes:.1f} GB (the limit is "
            f"{MAX_CANVAS_PIXELS * 12 / 1e9:.1f} GB); draw fewer seeds, a smaller --size, or --no-grid (one at a time)"
        )


def check_drawable(run: LoadedRun, settings: SampleConfig) -> str | None:
    """Refuse settings the run cannot draw (``tile`` on an architecture that cannot tile); return
    what a ``size`` will do, natively or by upsampling, in words (None without a size)."""
    architecture = run.maker or run.recipe.model.name
    if settings.tile and not run.drawer.tiles:
        raise UserInputError(
            f"--tile: run '{run.run_dir.name}' ({architecture}) cannot paint a seamless tile; "
            "architectures that can say so in `ganvas list architectures` (e.g. spatial)"
        )
    _check_scales(run, settings)
    canvas = canvas_of(settings)
    if canvas is None:
        return None
    height, width = canvas
    if run.drawer.any_size:
        return f"rendered natively at {width}x{height} ({architecture} renders at any size)"
    trained = "x".join(map(str, reversed(run.drawer.native_size))) if run.drawer.native_size else "its own size"
    return f"upsampled from {trained} to {width}x{height}, bicubic ({architecture} renders at its training size only)"


def _check_scales(run: LoadedRun, settings: SampleConfig) -> None:
    """Refuse ``at``, ``inject`` and ``enlarge`` where the run's drawer has no scales, beyond its
    scales, or together with what they exclude."""
    drawer, name = run.drawer, f"run '{run.run_dir.name}' ({run.maker or run.recipe.method.name})"
    if settings.at and not drawer.scales:
        raise UserInputError(f"--at {settings.at}: {name} draws in one pass, it has no scales to start at")
    if settings.at > drawer.scales:
        raise UserInputError(
            f"--at {settings.at}: {name} has {drawer.scales} scales; give 0 (all from noise) to "
            f"{drawer.scales - 1} (noise at the finest only), or {drawer.scales} (the picture itself)"
        )
    if settings.inject and not drawer.injects:
        raise UserInputError(f"--inject: {name} cannot start from a picture; methods with scales can (pyramid)")
    if settings.enlarge > 1:
        if not drawer.enlarges:
            raise UserInputError(f"--enlarge: {name} cannot super-resolve; methods with scales can (pyramid)")
        if settings.size or settings.at or settings.tile:
            raise UserInputError("--enlarge makes the picture larger by itself: give it without --size, --at or --tile")
        if drawer.native_size:
            height, width = drawer.native_size
            check_canvas_budget(1, (round(height * settings.enlarge), round(width * settings.enlarge)))
