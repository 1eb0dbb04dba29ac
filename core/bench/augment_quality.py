"""Does augmentation help on a small training set? SWD of DCGANs trained on 100 images.

``ganvas bench augment-quality [--data procedural|folder] [--folder DIR] [--steps 1000] [--seeds 3]
[--json]`` trains the default recipe's DCGAN on 100 images without augmentation, with
DiffAugment (color, translation, cutout at p = 1) and with ADA (same policy, adaptive p,
ada_kimg 100 so p can move within a short run), for each seed; then measures the Laplacian SWD
(x10^3) of 512 samples from each EMA generator against 512 held-out images, beside the
real-vs-real floor. Lower is better.

- ``--data procedural`` (default): 100 ``stripes`` images drawn in memory; held out: drawing
  seed 1; floor: drawing seed 2 against seed 1.
- ``--data folder``: the images go through the ``folder:`` dataset from files on disk. Without
  ``--folder``, the script writes 1,124 ``circles`` drawings at 64 px (PNG and JPEG, alternately)
  to a temporary folder; with ``--folder DIR``, your own images are used. The first 100 files
  (sorted) train; the rest, loaded the same way, are the held-out set, split in two halves for
  the floor.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from ganvas.plugin import PluginHost

__all__ = ["CONFIGS", "run", "format_report", "write_drawings", "split_folder"]

CONFIGS: dict[str, list[str]] = {
    "none": [],
    "diffaugment": ["augment.policy=color,translation,cutout"],
    "ada": ["augment.policy=color,translation,cutout", "augment.ada=true", "augment.ada_kimg=100"],
}


def write_drawings(host: PluginHost, root: Path, style: str, count: int, size: int = 64) -> Path:
    """``count`` procedural drawings as image files (PNG and JPEG alternately) in ``root``."""
    from PIL import Image

    drawings = host.get("datasets", "procedural").build(style, size=size, channels=3, count=count, seed=7).data
    root.mkdir(parents=True, exist_ok=True)
    for i, array in enumerate(drawings.permute(0, 2, 3, 1).numpy()):
        suffix = ".png" if i % 2 == 0 else ".jpg"
        Image.fromarray(array).save(root / f"{style}{i:05d}{suffix}", quality=95)
    return root


def split_folder(root: Path, train_images: int, tmp: Path) -> tuple[str, torch.Tensor, torch.Tensor]:
    """Link the first ``train_images`` files of ``root`` into a training folder; load the rest
    (as ``folder:`` would) and split them into held-out and floor halves."""
    from ganvas.errors import UserInputError
    from ganvas.io import IMAGE_SUFFIXES, open_image, pil_to_tensor, square_resize

    paths = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())  # as folder:
    if len(paths) < train_images + 64:
        raise UserInputError(
            f"folder '{root}' holds {len(paths)} images; the benchmark needs at least "
            f"{train_images + 64} ({train_images} to train, the rest held out)"
        )
    train_dir = tmp / "train"
    train_dir.mkdir()
    for i, path in enumerate(paths[:train_images]):
        (train_dir / f"{i:05d}{path.suffix.lower()}").symlink_to(path.resolve())
    rest = torch.stack([pil_to_tensor(square_resize(open_image(p, 3), 32)) for p in paths[train_images:]])
    half = len(rest) // 2
    return f"folder:{train_dir}", rest[:half], rest[half : 2 * half]


def _evaluation_sets(
    host: PluginHost, data: str, folder: Path | None, train_images: int, samples: int, scratch: Path
) -> tuple[str, torch.Tensor, torch.Tensor]:
    """The training source and the held-out and floor image sets in [-1, 1]."""
    if data == "procedural":
        procedural = host.get("datasets", "procedural")
        held, other = (
            procedural.build("stripes", size=32, channels=3, count=samples, seed=seed).batch(torch.arange(samples))
            for seed in (1, 2)
        )
        return "procedural:stripes", held, other
    if data == "folder":
        root = folder or write_drawings(host, scratch / "drawings", "circles", train_images + 2 * samples)
        source, held_u8, other_u8 = split_folder(root, train_images, scratch)
        held, other = (t.float().div(127.5).sub(1) for t in (held_u8, other_u8))
        return source, held, other
    raise ValueError(f"data must be 'procedural' or 'folder', not {data!r}")


def _train_and_draw(
    host: PluginHost, source: str, data: str, train_images: int, steps: int, seed: int, extra: list[str], samples: int
) -> torch.Tensor:
    """Train the default recipe's DCGAN on ``source`` with ``extra`` overrides; ``samples`` EMA images."""
    from ganvas.recipe import apply_overrides, parse_recipe, read_recipe_source
    from ganvas.training import Trainer

    raw, label = read_recipe_source("default")
    raw["data"] = {"source": source, "size": 32, ("count" if data == "procedural" else "limit"): train_images}
    apply_overrides(
        raw, [f"train.steps={steps}", f"train.seed={seed}", "train.sample_every=0", "train.checkpoint_every=0", *extra]
    )
    recipe = parse_recipe(raw, host.registry, source=label)
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(recipe, Path(tmp), host, quiet=True)
        if len(trainer.data) != train_images:
            raise RuntimeError(f"trained on {len(trainer.data)} images, not {train_images}")
        trainer.run()
        drawer = trainer.method.current_drawer()
        return drawer.draw(drawer.latents(list(range(samples))))


def run(
    host: PluginHost,
    steps: int = 1000,
    seeds: int = 3,
    samples: int = 512,
    train_images: int = 100,
    data: str = "procedural",
    folder: Path | None = None,
    grids: Path | None = None,
    log: Any = print,
) -> dict[str, Any]:
    """Train and score every configuration of :data:`CONFIGS` for each seed; returns the report."""
    from ganvas.io import make_grid, save_png, to_uint8
    from ganvas.metrics import laplacian_swd as swd

    with tempfile.TemporaryDirectory() as scratch:
        source, held, other = _evaluation_sets(host, data, folder, train_images, samples, Path(scratch))
        samples = min(samples, len(held))

        report: dict[str, Any] = {
            "data": source if folder else data,
            "train_images": train_images,
            "floor": swd(other, held)["average"],
            "runs": [],
        }
        for seed in range(seeds):
            for name, extra in CONFIGS.items():
                started = time.perf_counter()
                fake = _train_and_draw(host, source, data, train_images, steps, seed, extra, samples)
                if grids is not None:  # to look at: do the samples show the augmentations?
                    grids.mkdir(parents=True, exist_ok=True)
                    save_png(make_grid(to_uint8(fake[:64].cpu())), grids / f"{data}-seed{seed}-{name}.png", scale=2)
                row = {
                    "seed": seed,
                    "config": name,
                    "swd": swd(fake.cpu(), held)["average"],
                    "seconds": round(time.perf_counter() - started, 1),
                }
                report["runs"].append(row)
                log(f"seed {seed} {name:<12} SWD {row['swd']:.1f}  ({row['seconds']:.0f} s)")
    report["mean"] = {
        name: statistics.fmean(r["swd"] for r in report["runs"] if r["config"] == name) for name in CONFIGS
    }
    return report


def format_report(report: dict[str, Any]) -> str:
    """The report of :func:`run` as a few lines: the data, the floor and each config's mean SWD."""
    lines = [
        f"data: {report['data']}, {report['train_images']} training images",
        f"real-vs-real floor: {report['floor']:.1f}",
    ]
    lines += [f"mean SWD {name:<12} {value:.1f}" for name, value in report["mean"].items()]
    return "\n".join(lines)
