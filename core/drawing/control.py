"""What a drawing controls beyond its seeds: the classes of a conditional run (``[sample]
classes``, ``--class``) and moves along latent directions (``[sample] edit``, ``--edit``).

:func:`plan` turns seeds into the items drawn: one per seed for an unconditional run; for a
conditional one, each seed in each chosen class (seed-major: a row per seed, a column per class).
:func:`latents_of` gives their latents with the edits applied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from ganvas.errors import UserInputError
from ganvas.recipe import SampleConfig
from ganvas.training import select_classes
from ganvas.training.directions import MAX_DIRECTIONS, apply_edits, parse_edits

if TYPE_CHECKING:
    from ganvas.drawing.sampler import LoadedRun

__all__ = ["Plan", "plan", "latents_of", "check_control"]


@dataclass
class Plan:
    seeds: list[int]  # one per item drawn
    labels: list[int] | None  # a class index per item (conditional runs), else None
    columns: int  # per row: the chosen classes (conditional), else 0 (near square)


def check_control(run: LoadedRun, settings: SampleConfig) -> None:
    """Refuse classes on an unconditional run and edits beyond the run's directions, early."""
    if settings.classes.strip():
        select_classes(settings.classes, run.drawer.classes)
    if settings.edit.strip():
        edits = parse_edits(settings.edit, _direction_count(run))
        if edits:
            run.drawer.directions(1)  # raises for a generator without a linear first layer


def _direction_count(run: LoadedRun) -> int:
    z_dim = getattr(run.drawer, "z_dim", None)
    if not isinstance(z_dim, int):
        raise UserInputError(f"--edit: run '{run.run_dir.name}' has no latent vector to move ({run.maker})")
    return min(z_dim, MAX_DIRECTIONS)


def plan(run: LoadedRun, settings: SampleConfig, seeds: list[int]) -> Plan:
    if not run.drawer.classes:
        if settings.classes.strip():
            select_classes(settings.classes, ())  # the one-line error
        return Plan(list(seeds), None, 0)
    chosen = select_classes(settings.classes, run.drawer.classes)
    items = [(seed, k) for seed in seeds for k in chosen]
    return Plan([s for s, _ in items], [k for _, k in items], len(chosen))


def latents_of(run: LoadedRun, settings: SampleConfig, items: Plan) -> torch.Tensor:
    """The latents of ``items``, moved along the edited directions."""
    z = run.drawer.latents(items.seeds, items.labels) if items.labels is not None else run.drawer.latents(items.seeds)
    if settings.edit.strip():
        count = _direction_count(run)
        edits = parse_edits(settings.edit, count)
        if edits:
            z = apply_edits(z, run.drawer.directions(count), edits)
    return z
