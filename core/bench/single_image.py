"""``ganvas bench single-image``: a one-picture method (the ``stones`` gallery recipe's: the
``pyramid``) trained on each picture, timed, and its variations scored against the picture.

For each picture (a built-in name, or a file; default: the built-in ones, and scikit-image's
bundled public-domain photos when the ``bench`` extra is installed):

1. Training: the ``stones`` recipe with ``data.source = "image:PICTURE"`` and ``data.size =
   --size``, ``--steps`` steps (default: the recipe's), in memory; wall seconds and steps.
2. ``--samples`` variations (seeds 0..N-1) at the training size. Patch SWD: the Laplacian SWD
   x10^3 of :data:`CROPS` crops of half the picture's height and width taken from the samples
   against as many from the training picture, beside the floor: the SWD between two disjoint
   sets of crops of the training picture itself (no crop position in both). Target: <= 1.5x the
   floor.
3. Diversity: the mean over pixels of the standard deviation across the samples (pixels in
   [0, 1]); and the smallest RMSE of any sample to the training picture against the RMSE of the
   method's reconstruction (its fixed-noise path). Target: the smallest distance at least twice the
   reconstruction's, so no sample is a copy.

Training time target: <= 600 s for a 250-px picture on 2 CPU cores. ``--quick`` trains a few
steps at 48 px so the whole path runs in seconds; its figures mean nothing. ``--images DIR``
writes each picture with its variations to ``DIR/PICTURE.png``, to look at.
"""

from __future__ import annotations

import math
import platform
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from ganvas.plugin import PluginHost
    from ganvas.recipe import Recipe

__all__ = ["Settings", "default_pictures", "run_single_image_benchmark", "format_report", "crop_sets"]

Log = Callable[[str], Any]

RECIPE = "stones"
#: Crops per set for the patch SWD (the samples give CROPS // samples each).
CROPS = 64
TARGETS = {"train_seconds": 600.0, "swd_ratio": 1.5, "copy_ratio": 2.0}
#: scikit-image's bundled photos that are in the public domain (NASA; SpaceX), used when installed.
SKIMAGE_PHOTOS = ("rocket.jpg",)


@dataclass(frozen=True)
class Settings:
    """The benchmark's settings; ``steps`` None: the recipe's ``train.steps``."""

    size: int = 250
    steps: int | None = None
    samples: int = 16
    device: str = "auto"
    quick: bool = False
    #: where to write ``PICTURE.png`` per picture (the picture, then its variations), or None
    images: str | None = None


def default_pictures() -> list[str]:
    """The built-in pictures of ``image:`` that are not textures, and scikit-image's public-domain
    photos when it is installed."""
    pictures = ["landscape", "hubble"]
    try:
        import skimage
    except ImportError:
        return pictures
    folder = Path(skimage.__file__).parent / "data"
    return pictures + [str(folder / name) for name in SKIMAGE_PHOTOS if (folder / name).is_file()]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _recipe(host: PluginHost, picture: str, settings: Settings) -> Recipe:
    from ganvas.recipe import apply_overrides, parse_recipe, read_recipe_source

    raw, label = read_recipe_source(RECIPE)
    raw["data"] = {**raw["data"], "source": f"image:{picture}", "size": settings.size}
    overrides = ["train.sample_every=0", "train.checkpoint_every=0", "train.eval_every=0"]
    overrides += [f"train.steps={settings.steps}"] if settings.steps else []
    if settings.quick:
        overrides += ["data.size=48", "method.min_size=16", "method.width=8", "train.steps=8"]
    apply_overrides(raw, overrides)
    return parse_recipe(raw, host.registry, source=f"{label} on image:{picture}")


def crop_sets(
    images: torch.Tensor, count: int, *, seed: int, exclude: set[tuple[int, int]] | None = None
) -> tuple[torch.Tensor, set[tuple[int, int]]]:
    """``count`` crops of half the height and width from ``images`` ``(N, C, H, W)`` (as evenly
    over the images as ``count`` allows), at distinct positions not in ``exclude``; the crops and
    the positions used."""
    n, _, height, width = images.shape
    ch, cw = max(1, height // 2), max(1, width // 2)
    positions = [(y, x) for y in range(height - ch + 1) for x in range(width - cw + 1)]
    free = [p for p in positions if not exclude or p not in exclude]
    if len(free) < count:
        raise ValueError(f"a {width}x{height} picture has {len(free)} free crop positions, {count} needed")
    order = torch.randperm(len(free), generator=torch.Generator().manual_seed(seed))[:count]
    chosen = [free[int(i)] for i in order]
    crops = [images[k % n, :, y : y + ch, x : x + cw] for k, (y, x) in enumerate(chosen)]
    return torch.stack(crops), set(chosen)


@torch.no_grad()
def score(picture: torch.Tensor, samples: torch.Tensor, reconstruction: torch.Tensor | None) -> dict[str, Any]:
    """Patch SWD against the floor, diversity and copy distances; pictures ``(N, C, H, W)`` in [-1, 1]."""
    from ganvas.metrics import laplacian_swd

    real_a, used = crop_sets(picture, CROPS, seed=1)
    real_b, _ = crop_sets(picture, CROPS, seed=2, exclude=used)
    fake, _ = crop_sets(samples, CROPS, seed=3)
    floor = laplacian_swd(real_b, real_a)["average"]
    fake_swd = laplacian_swd(fake, real_a)["average"]
    unit = samples.add(1).div(2)
    target = picture.add(1).div(2)
    distances = (unit - target).pow(2).mean(dim=(1, 2, 3)).sqrt()
    rec = None if reconstruction is None else float((reconstruction.add(1).div(2) - target).pow(2).mean().sqrt())
    closest = float(distances.min())
    return {
        "swd": _round(fake_swd),
        "swd_floor": _round(floor),
        "swd_ratio": _round(fake_swd / floor) if floor > 0 else None,
        "diversity": _round(float(unit.std(dim=0).mean())),
        "closest_rmse": _round(closest),
        "reconstruction_rmse": _round(rec),
        "copy_ratio": _round(closest / rec) if rec else None,
    }


def _round(value: float | None, digits: int = 4) -> float | None:
    return round(value, digits) if value is not None and math.isfinite(value) else None


def run_single_image_benchmark(
    host: PluginHost, pictures: list[str], settings: Settings, log: Log = _stderr
) -> dict[str, Any]:
    """Train and score each picture; the report (see the module docstring)."""
    from ganvas.bench.resolution import train_for
    from ganvas.training import Trainer, build_dataset

    recipes = {picture: _recipe(host, picture, settings) for picture in pictures}
    for recipe in recipes.values():
        build_dataset(recipe, host)  # every picture readable before the first trains
    rows = []
    for picture, recipe in recipes.items():
        with tempfile.TemporaryDirectory(prefix="ganvas-bench-") as tmp:
            trainer = Trainer(recipe, Path(tmp) / "run", host, quiet=True, device=settings.device)
            name = Path(picture).name
            timing = train_for(trainer, name, log, steps=recipe.train.steps)
            drawer = trainer.method.current_drawer()
            samples = drawer.draw(drawer.latents(list(range(settings.samples)))).float().cpu()
            real = trainer.data.batch(torch.tensor([0])).float().cpu()
            rebuild = getattr(drawer, "reconstruction", None)
            reconstruction = rebuild().float().cpu() if callable(rebuild) else None
        if settings.images:
            _save_sheet(Path(settings.images) / f"{Path(name).stem}.png", real, samples)
        height, width = real.shape[-2:]
        row = {"picture": name, "size": f"{width}x{height}", "steps": timing["steps"]}
        row["train_seconds"] = timing["wall_seconds"]
        row.update(score(real, samples, reconstruction))
        rows.append(row)
        log(f"  {name}: {row['train_seconds']:.0f} s, SWD {row['swd']} (floor {row['swd_floor']})")
    return {
        "benchmark": "single-image",
        "recipe": RECIPE,
        "settings": asdict(settings),
        "machine": {"platform": platform.platform(), "threads": torch.get_num_threads()},
        "pictures": rows,
        "targets": {k: _targets(k, rows) for k in TARGETS},
    }


def _save_sheet(path: Path, picture: torch.Tensor, samples: torch.Tensor) -> None:
    """The training picture, then the variations, as one grid PNG."""
    from ganvas.io import make_grid, save_png, to_uint8

    path.parent.mkdir(parents=True, exist_ok=True)
    save_png(make_grid(to_uint8(torch.cat([picture, samples])), columns=4), path)


def _targets(key: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Whether every picture meets the target ``key`` (time and SWD at most, copy ratio at least)."""
    values = [row[key] for row in rows]
    limit = TARGETS[key]
    met = all(v is not None and (v >= limit if key == "copy_ratio" else v <= limit) for v in values)
    return {"target": ("≥ " if key == "copy_ratio" else "≤ ") + f"{limit:g}", "met": met}


def format_report(report: dict[str, Any]) -> str:
    """The report as a table, one row per picture, and the targets."""
    head = f"{'picture':<22} {'size':>8} {'steps':>6} {'train s':>8} {'SWD':>7} {'floor':>7} {'ratio':>6}"
    head += f" {'divers.':>7} {'closest':>8} {'rec':>7} {'copy x':>7}"
    lines = [f"single-image benchmark: recipe '{report['recipe']}'", head]
    for r in report["pictures"]:
        cells = [r["swd"], r["swd_floor"], r["swd_ratio"], r["diversity"], r["closest_rmse"]]
        cells += [r["reconstruction_rmse"], r["copy_ratio"]]
        text = " ".join(f"{'-' if v is None else f'{v:.3g}':>7}" for v in cells)
        lines.append(f"{r['picture'][:22]:<22} {r['size']:>8} {r['steps']:>6} {r['train_seconds']:>8.0f} {text}")
    for key, target in report["targets"].items():
        lines.append(f"target {key} {target['target']}: {'met' if target['met'] else 'MISSED'}")
    return "\n".join(lines)
