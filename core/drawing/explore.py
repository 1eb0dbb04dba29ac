"""``ganvas explore``: a sheet of a run's latent directions (SeFa), one row per direction, each
row the chosen seeds moved from -S to +S along it, the unmoved seed in the middle of its group."""

from __future__ import annotations

import time

import torch

from ganvas.drawing.sampler import LoadedRun, render_latents
from ganvas.plugin.manager import PluginHost
from ganvas.training import select_classes
from ganvas.training.directions import apply_edits

__all__ = ["explore_sheet", "STRENGTHS"]

#: Steps along each direction, as multiples of ``--strength`` / 3 (so the default 3 gives -3 ... +3).
STRENGTHS = (-3.0, -1.5, 0.0, 1.5, 3.0)


@torch.no_grad()
def explore_sheet(
    run: LoadedRun, host: PluginHost, seeds: list[int], k: int, strength: float = 3.0
) -> tuple[torch.Tensor, list[float], float]:
    """``(images (k * len(seeds) * 5, C, H, W) uint8, the strengths, seconds to find the directions)``,
    row-major: direction, then seed, then strength. A conditional run draws each seed in its
    class ``seed mod K`` (``[sample] classes``: the first class named, for all)."""
    started = time.perf_counter()
    directions = run.drawer.directions(k)
    seconds = time.perf_counter() - started
    labels = None
    if run.drawer.classes and run.recipe.sample.classes.strip():
        labels = [select_classes(run.recipe.sample.classes, run.drawer.classes)[0]] * len(seeds)
    base = run.drawer.latents(seeds, labels) if labels is not None else run.drawer.latents(seeds)
    strengths = [s * strength / 3.0 for s in STRENGTHS]
    rows = []
    for d in range(k):
        for i in range(len(seeds)):
            moved = [apply_edits(base[i : i + 1], directions, {d: s}) for s in strengths]
            rows.append(torch.cat(moved))
    z = torch.cat(rows)
    images = torch.cat([render_latents(run, z[i : i + 64], host, chain=[]) for i in range(0, len(z), 64)])
    return images, strengths, seconds
