"""``ganvas bench control``: how well a class-conditional GAN draws the class it is asked for, and
how consistent its latent directions are.

1. Training: the ``styles`` gallery recipe (a conditional DCGAN on ``procedural:mixed``, six
   drawing styles; ``--recipe`` and ``--set`` judge another conditional recipe on that data),
   ``--steps`` steps (default: the recipe's), in memory; wall seconds.
2. A judge: a small CNN trained on other real drawings of each style (seed 1000; the GAN's
   data is seed 0), its accuracy on held-out real drawings (seed 2000) beside everything it
   judges. Classification Accuracy Score (as StudioGAN reports it): of ``--samples`` generated
   images per class, the share the judge gives the class they were asked for. Target: >= 90 %.
3. Per class: the Laplacian SWD x10^3 of the generated images against the held-out drawings of
   that class, beside the floor (two disjoint halves of those drawings).
4. SeFa: the seconds to find the ``--k`` directions, and for each the mean cosine similarity
   between the pixel changes one move along it makes on different seeds (1: the same change
   everywhere), beside the same figure for random unit directions.
"""

from __future__ import annotations

import math
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from ganvas.errors import UserInputError
from ganvas.plugin.manager import PluginHost
from ganvas.recipe import Recipe

__all__ = ["Settings", "run_control_benchmark", "format_report", "Judge", "train_judge", "consistency"]

Log = Callable[[str], Any]

RECIPE = "styles"
TARGETS = {"cas": 0.9, "train_seconds": 600.0}


@dataclass(frozen=True)
class Settings:
    steps: int | None = None
    samples: int = 256  # generated images per class (256: one standard error of a class's share is at most 3 points)
    judge_steps: int = 400
    k: int = 8
    device: str = "auto"
    quick: bool = False
    images: str | None = None  # DIR: the class grid and the SeFa sheet as PNGs, to look at
    recipe: str = RECIPE  # a conditional recipe on procedural:mixed (name or path)
    overrides: tuple[str, ...] = ()  # KEY.PATH=VALUE, as `ganvas run --set`


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _recipe(host: PluginHost, settings: Settings) -> Recipe:
    from ganvas.recipe import apply_overrides, parse_recipe, read_recipe_source

    raw, label = read_recipe_source(settings.recipe)
    overrides = [*settings.overrides, "train.sample_every=0", "train.checkpoint_every=0", "train.eval_every=0"]
    overrides += [f"train.steps={settings.steps}"] if settings.steps else []
    if settings.quick:
        overrides += ["data.count=60", "data.size=16", "model.width=8", "train.steps=4", "train.batch=12"]
    apply_overrides(raw, overrides)
    recipe = parse_recipe(raw, host.registry, source=label)
    source = f"{recipe.data.name}:{recipe.data.argument}"
    if source != "procedural:mixed" or not recipe.method.params.get("conditional"):
        raise UserInputError(
            f"recipe '{settings.recipe}': bench control judges a conditional recipe on procedural:mixed "
            f'(data.source = "procedural:mixed", method.conditional = true); it has data.source '
            f"'{source}'" + ("" if recipe.method.params.get("conditional") else " and is not conditional")
        )
    return recipe


class Judge(nn.Module):
    """A small CNN: pictures ``(B, C, H, W)`` in [-1, 1] -> class logits."""

    def __init__(self, channels: int, classes: int, width: int = 32) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 3, 2, 1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, width * 2, 3, 2, 1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width * 2, width * 4, 3, 2, 1),
            nn.LeakyReLU(0.2),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(width * 4, classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


def _drawings(host: PluginHost, size: int, count: int, seed: int) -> tuple[Tensor, Tensor]:
    data = host.get("datasets", "procedural").build("mixed", size=size, channels=3, count=count, seed=seed)
    assert data.labels is not None
    return data.batch(torch.arange(len(data))), data.labels


def train_judge(images: Tensor, labels: Tensor, classes: int, steps: int, seed: int = 0) -> Judge:
    """The judge, trained with Adam on ``images`` (random flips: a style is a style mirrored)."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    judge = Judge(images.shape[1], classes)
    opt = torch.optim.Adam(judge.parameters(), lr=2e-3)
    for _ in range(steps):
        index = torch.randint(len(images), (64,), generator=generator)
        x = images[index]
        flip = torch.rand(len(x), generator=generator) < 0.5
        x = torch.where(flip[:, None, None, None], x.flip(-1), x)
        loss = nn.functional.cross_entropy(judge(x), labels[index])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return judge.eval()


@torch.no_grad()
def _predict(judge: Judge, images: Tensor) -> Tensor:
    return torch.cat([judge(images[i : i + 256]).argmax(1) for i in range(0, len(images), 256)])


@torch.no_grad()
def consistency(draw: Callable[[Tensor], Tensor], z: Tensor, direction: Tensor, strength: float = 3.0) -> float:
    """Mean pairwise cosine similarity of the pixel change ``draw(z + strength * direction) - draw(z)``
    across the rows of ``z`` (the noise part, the first ``len(direction)`` entries, is moved)."""
    moved = z.clone()
    moved[:, : len(direction)] += strength * direction.to(z)
    change = (draw(moved) - draw(z)).flatten(1).double()
    unit = change / change.norm(dim=1, keepdim=True).clamp_min(1e-12)
    sims = unit @ unit.T
    n = len(z)
    return float((sims.sum() - sims.diagonal().sum()) / (n * (n - 1)))


def run_control_benchmark(host: PluginHost, settings: Settings, log: Log = _stderr) -> dict[str, Any]:
    from ganvas.bench.resolution import train_for
    from ganvas.metrics import laplacian_swd
    from ganvas.training import Trainer

    recipe = _recipe(host, settings)
    with tempfile.TemporaryDirectory(prefix="ganvas-bench-") as tmp:
        trainer = Trainer(recipe, Path(tmp) / "run", host, quiet=True, device=settings.device)
        timing = train_for(trainer, recipe.name, log, steps=recipe.train.steps)
        drawer = trainer.method.current_drawer()
    classes, size = drawer.classes, trainer.data.shape[-1]
    per_class = 40 if settings.quick else 300
    train_x, train_y = _drawings(host, size, per_class * len(classes), seed=1000)
    test_x, test_y = _drawings(host, size, per_class * len(classes), seed=2000)
    log(f"training the judge: {settings.judge_steps} steps on {len(train_x)} drawings")
    judge = train_judge(train_x, train_y, len(classes), 10 if settings.quick else settings.judge_steps)
    judge_accuracy = float((_predict(judge, test_x) == test_y).float().mean())
    rows, generated = [], []
    seeds = list(range(settings.samples))
    for k, name in enumerate(classes):
        fake = drawer.draw(drawer.latents(seeds, [k] * len(seeds))).float().cpu().clamp(-1, 1)
        generated.append(fake[:8])
        real = test_x[test_y == k]
        half = len(real) // 2
        predicted = _predict(judge, fake)
        rows.append(
            {
                "class": name,
                "cas": round(float((predicted == k).float().mean()), 4),
                "mistaken_for": _mistaken_for(predicted, k, classes),
                "swd": round(laplacian_swd(fake, real)["average"], 3),
                "swd_floor": round(laplacian_swd(real[half:], real[:half])["average"], 3),
            }
        )
    sefa = _sefa(drawer, settings)
    if settings.images:
        _save(Path(settings.images), generated, drawer, sefa.pop("sheet"))
    else:
        sefa.pop("sheet")
    cas = sum(r["cas"] for r in rows) / len(rows)
    return {
        "benchmark": "control",
        "recipe": recipe.name,
        "settings": asdict(settings),
        "machine": {"platform": platform.platform(), "threads": torch.get_num_threads()},
        "train_seconds": timing["wall_seconds"],
        "steps": timing["steps"],
        "judge_accuracy": round(judge_accuracy, 4),
        "cas": round(cas, 4),
        "classes": rows,
        "sefa": sefa,
        "targets": {
            "cas": {"target": "≥ 0.9", "met": cas >= TARGETS["cas"]},
            "train_seconds": {"target": "≤ 600", "met": timing["wall_seconds"] <= TARGETS["train_seconds"]},
        },
    }


def _mistaken_for(predicted: Tensor, k: int, classes: tuple[str, ...]) -> dict[str, Any] | None:
    """The class the judge gave most often instead of ``k``, and the share of samples it took."""
    counts = torch.bincount(predicted, minlength=len(classes)).float()
    counts[k] = 0
    if counts.sum() == 0:
        return None
    other = int(counts.argmax())
    return {"class": classes[other], "share": round(float(counts[other]) / len(predicted), 4)}


def _sefa(drawer: Any, settings: Settings) -> dict[str, Any]:
    """SeFa's time and per-direction consistency, beside random directions'."""
    started = time.perf_counter()
    directions = drawer.directions(settings.k)
    seconds = time.perf_counter() - started
    seeds = list(range(8))
    z = drawer.latents(seeds)  # a conditional drawer's seed s draws class s mod K

    def draw(latents: Tensor) -> Tensor:
        return drawer.draw(latents).float().cpu()

    found = [round(consistency(draw, z, d), 4) for d in directions]
    rng = torch.Generator().manual_seed(0)
    random = torch.randn(settings.k, directions.shape[1], generator=rng)
    random = random / random.norm(dim=1, keepdim=True)
    baseline = [consistency(draw, z, d) for d in random]
    sheet = [draw(_moved(z[:3], d)) for d in directions[: min(4, len(directions))]]
    return {
        "seconds": round(seconds, 4),
        "k": settings.k,
        "consistency": found,
        "mean_consistency": round(sum(found) / len(found), 4),
        "random_mean_consistency": round(sum(baseline) / len(baseline), 4) if math.isfinite(sum(baseline)) else None,
        "sheet": sheet,
    }


def _moved(z: Tensor, direction: Tensor) -> Tensor:
    rows = []
    for s in (-3.0, -1.5, 0.0, 1.5, 3.0):
        moved = z.clone()
        moved[:, : len(direction)] += s * direction.to(z)
        rows.append(moved)
    return torch.stack(rows, dim=1).flatten(0, 1)  # seed-major: a seed's five moves side by side


def _save(folder: Path, generated: list[Tensor], drawer: Any, sheet: list[Tensor]) -> None:
    from ganvas.io import make_grid, save_png, to_uint8

    folder.mkdir(parents=True, exist_ok=True)
    by_class = torch.stack(generated, dim=1).flatten(0, 1)  # a row per seed, a column per class
    save_png(make_grid(to_uint8(by_class), columns=len(generated)), folder / "classes.png", scale=4)
    save_png(make_grid(to_uint8(torch.cat(sheet)), columns=15), folder / "sefa.png", scale=4)


def format_report(report: dict[str, Any]) -> str:
    lines = [
        f"control benchmark: recipe '{report['recipe']}', {report['steps']} steps in {report['train_seconds']:.0f} s",
        f"judge accuracy on held-out real drawings: {report['judge_accuracy']:.1%}",
        f"{'class':<12} {'CAS':>6} {'SWD':>8} {'floor':>8}  most often judged instead",
    ]
    for row in report["classes"]:
        wrong = row.get("mistaken_for")
        instead = f"  {wrong['class']} ({wrong['share']:.1%})" if wrong else ""
        lines.append(f"{row['class']:<12} {row['cas']:>6.1%} {row['swd']:>8.2f} {row['swd_floor']:>8.2f}{instead}")
    lines.append(f"{'mean':<12} {report['cas']:>6.1%}")
    sefa = report["sefa"]
    lines.append(
        f"SeFa: {sefa['k']} directions in {sefa['seconds'] * 1000:.1f} ms; consistency across seeds "
        f"{sefa['mean_consistency']:.3f} (random directions {sefa['random_mean_consistency']:.3f}); "
        "per direction " + ", ".join(f"{c:.2f}" for c in sefa["consistency"])
    )
    for key, target in report["targets"].items():
        lines.append(f"target {key} {target['target']}: {'met' if target['met'] else 'MISSED'}")
    return "\n".join(lines)
