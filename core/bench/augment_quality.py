"""Does augmentation help on a small training set? SWD of DCGANs trained on 100 images.

``python -m ganvas.bench.augment_quality [--data procedural|folder] [--folder DIR] [--steps 1000]
[--seeds 3] [--json]`` trains the default recipe's DCGAN on 100 images without augmentation, with
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

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

CONFIGS: dict[str, list[str]] = {
    "none": [],
    "diffaugment": ["augment.policy=color,translation,cutout"],
    "ada": ["augment.policy=color,translation,cutout", "augment.ada=true", "augment.ada_kimg=100"],
}


def write_drawings(root: Path, style: str, count: int, size: int = 64) -> Path:
    """``count`` procedural drawings as image files (PNG and JPEG alternately) in ``root``."""
    from PIL import Image

    from ganvas.plugins.procedural_styles import draw_many

    root.mkdir(parents=True, exist_ok=True)
    for i, array in enumerate(draw_many(style, count, size, seed=7)):
        suffix = ".png" if i % 2 == 0 else ".jpg"
        Image.fromarray(array).save(root / f"{style}{i:05d}{suffix}", quality=95)
    return root


def split_folder(root: Path, train_images: int, tmp: Path) -> tuple[str, torch.Tensor, torch.Tensor]:
    """Link the first ``train_images`` files of ``root`` into a training folder; load the rest
    (as ``folder:`` would) and split them into held-out and floor halves."""
    from ganvas.errors import UserInputError
    from ganvas.io.images import open_image, pil_to_tensor, square_resize
    from ganvas.plugins.datasets.folder import find_images

    paths = find_images(root)
    if len(paths) < train_images + 64:
        raise UserInputError(f"folder '{root}' holds {len(paths)} images; the benchmark needs at least "
                             f"{train_images + 64} ({train_images} to train, the rest held out)")
    train_dir = tmp / "train"
    train_dir.mkdir()
    for i, path in enumerate(paths[:train_images]):
        (train_dir / f"{i:05d}{path.suffix.lower()}").symlink_to(path.resolve())
    rest = torch.stack([pil_to_tensor(square_resize(open_image(p, 3), 32)) for p in paths[train_images:]])
    half = len(rest) // 2
    return f"folder:{train_dir}", rest[:half], rest[half:2 * half]


def run(steps: int = 1000, seeds: int = 3, samples: int = 512, train_images: int = 100,
        data: str = "procedural", folder: Path | None = None, grids: Path | None = None,
        log: Any = print) -> dict[str, Any]:
    from ganvas.io.images import make_grid, save_png, to_uint8
    from ganvas.plugin.manager import PluginHost
    from ganvas.metrics.swd import swd
    from ganvas.plugins.datasets.procedural import load
    from ganvas.recipe import apply_overrides, parse_recipe, read_recipe_source
    from ganvas.training.loop import Trainer

    host = PluginHost(entry_points=False)
    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        if data == "procedural":
            source = "procedural:stripes"
            held = load("stripes", size=32, channels=3, count=samples, seed=1).batch(torch.arange(samples))
            other = load("stripes", size=32, channels=3, count=samples, seed=2).batch(torch.arange(samples))
        elif data == "folder":
            root = folder or write_drawings(scratch_dir / "drawings", "circles", train_images + 2 * samples)
            source, held_u8, other_u8 = split_folder(root, train_images, scratch_dir)
            held, other = (t.float().div(127.5).sub(1) for t in (held_u8, other_u8))
            samples = min(samples, len(held))
        else:
            raise ValueError(f"data must be 'procedural' or 'folder', not {data!r}")
        report: dict[str, Any] = {"data": source if folder else data, "train_images": train_images,
                                  "floor": swd(other, held)["average"], "runs": []}
        for seed in range(seeds):
            for name, extra in CONFIGS.items():
                raw, label = read_recipe_source("default")
                raw["data"] = {"source": source, "size": 32,
                               ("count" if data == "procedural" else "limit"): train_images}
                apply_overrides(raw, [f"train.steps={steps}", f"train.seed={seed}", "train.sample_every=0",
                                      "train.checkpoint_every=0", *extra])
                recipe = parse_recipe(raw, host.registry, source=label)
                with tempfile.TemporaryDirectory() as tmp:
                    started = time.perf_counter()
                    trainer = Trainer(recipe, Path(tmp), host, quiet=True)
                    if len(trainer.data) != train_images:
                        raise RuntimeError(f"trained on {len(trainer.data)} images, not {train_images}")
                    trainer.run()
                    fake = trainer.method.current_drawer().draw(trainer.method.current_drawer().latents(list(range(samples))))
                if grids is not None:  # to look at: do the samples show the augmentations?
                    grids.mkdir(parents=True, exist_ok=True)
                    save_png(make_grid(to_uint8(fake[:64].cpu())), grids / f"{data}-seed{seed}-{name}.png", scale=2)
                row = {"seed": seed, "config": name, "swd": swd(fake.cpu(), held)["average"],
                       "seconds": round(time.perf_counter() - started, 1)}
                report["runs"].append(row)
                log(f"seed {seed} {name:<12} SWD {row['swd']:.1f}  ({row['seconds']:.0f} s)")
    report["mean"] = {name: statistics.fmean(r["swd"] for r in report["runs"] if r["config"] == name)
                      for name in CONFIGS}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["procedural", "folder"], default="procedural")
    parser.add_argument("--folder", type=Path, default=None, help="your own image folder (implies --data folder)")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=512)
    parser.add_argument("--grids", type=Path, default=None, help="save a grid of 64 samples of each run here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    data = "folder" if args.folder else args.data
    report = run(args.steps, args.seeds, args.samples, data=data, folder=args.folder, grids=args.grids,
                 log=(lambda *_: None) if args.json else print)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"data: {report['data']}, {report['train_images']} training images")
    print(f"real-vs-real floor: {report['floor']:.1f}")
    for name, value in report["mean"].items():
        print(f"mean SWD {name:<12} {value:.1f}")


if __name__ == "__main__":
    main()
