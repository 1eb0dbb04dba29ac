"""Does augmentation help on a small training set? SWD of DCGANs trained on 100 images.

``python -m ganvas.bench.augment_quality [--steps 1000] [--seeds 3] [--json]`` trains the default
recipe's DCGAN on 100 procedural ``stripes`` images without augmentation, with DiffAugment
(color, translation, cutout at p = 1) and with ADA (same policy, adaptive p, ada_kimg 100 so p can
move within a short run), for each seed; then measures the Laplacian SWD (x10^3) of 512 samples
from each EMA generator against 512 held-out images of the same style (drawing seed 1), beside
the real-vs-real floor (drawing seed 2 vs 1). Lower is better.
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


def run(steps: int = 1000, seeds: int = 3, samples: int = 512, train_images: int = 100,
        log: Any = print) -> dict[str, Any]:
    from ganvas.manager import PluginHost
    from ganvas.metrics.swd import swd
    from ganvas.plugins.datasets.procedural import load
    from ganvas.recipe import load_recipe
    from ganvas.seeds import latents_for_seeds
    from ganvas.components import generate
    from ganvas.trainer import Trainer

    host = PluginHost(entry_points=False)
    held = load("stripes", size=32, channels=3, count=samples, seed=1).batch(torch.arange(samples))
    other = load("stripes", size=32, channels=3, count=samples, seed=2).batch(torch.arange(samples))
    report: dict[str, Any] = {"floor": swd(other, held)["average"], "runs": []}
    for seed in range(seeds):
        for name, extra in CONFIGS.items():
            recipe = load_recipe("default", host.registry, [
                f"data.count={train_images}", f"train.steps={steps}", f"train.seed={seed}",
                "train.sample_every=0", "train.checkpoint_every=0", *extra])
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                trainer = Trainer(recipe, Path(tmp), host, quiet=True)
                trainer.run()
                fake = generate(trainer.G_ema, latents_for_seeds(list(range(samples)), trainer.z_dim, trainer.device))
            row = {"seed": seed, "config": name, "swd": swd(fake.cpu(), held)["average"],
                   "seconds": round(time.perf_counter() - started, 1)}
            report["runs"].append(row)
            log(f"seed {seed} {name:<12} SWD {row['swd']:.1f}  ({row['seconds']:.0f} s)")
    report["mean"] = {name: statistics.fmean(r["swd"] for r in report["runs"] if r["config"] == name)
                      for name in CONFIGS}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=512)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = run(args.steps, args.seeds, args.samples, log=(lambda *_: None) if args.json else print)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"real-vs-real floor: {report['floor']:.1f}")
    for name, value in report["mean"].items():
        print(f"mean SWD {name:<12} {value:.1f}")


if __name__ == "__main__":
    main()
