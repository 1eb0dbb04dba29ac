"""``ganvas bench repair``: the repair recipes trained, then scored on photos they never saw.

Each paired task trains its gallery recipe (``superres``, ``denoise``, ``inpaint``; the
``pix2pix`` method on crops of scikit-image's bundled photos, the ``bench`` extra) in memory and
repairs the held-out photos (``photos:test``: the astronaut and the cat, whole, at full size):

- ``superres``: the photo shrunk 4x (bicubic, antialiased), then the model's 4x enlargement
  against bicubic enlargement;
- ``denoise``: Gaussian noise of sigma 25/255 (fixed seed), the model against the better of a
  Gaussian blur and OpenCV's non-local means (``fastNlMeansDenoisingColored``), each at the
  setting that scores best on these very photos (a generous baseline);
- ``inpaint``: LaMa-style masks (the ``mask`` corruption's strokes and boxes, fixed seeds) drawn
  in every 64-px cell, the scale the recipe trains at, the model against OpenCV's Telea
  inpainting; L1 and PSNR inside the holes, SSIM of the whole.

Each task trains its recipe exactly as ``ganvas run`` does (so ``--run TASK=RUN`` can score a
run that ``ganvas gallery build`` made instead of training again); the denoiser is blind (it
trains on sigma 5 to 50). PSNR (dB) and SSIM (scikit-image's) are on 8-bit pictures; the target is the model beating
each baseline by >= 0.5 dB PSNR, with <= 600 s of training per task on 2 CPU cores. The
``cycle`` task trains the ``restyle`` recipe and reports the Laplacian SWD of the translated
held-out pictures to the target set against the untranslated ones'. ``--quick`` trains a few
steps at tiny sizes so the whole path runs in seconds; its figures mean nothing.
"""

from __future__ import annotations

import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

if TYPE_CHECKING:
    from ganvas.plugin import PluginHost
    from ganvas.recipe import Recipe
    from ganvas.training import Drawer

__all__ = ["Settings", "TASKS", "run_repair_benchmark", "format_report", "psnr", "baselines", "damage", "save_sheet"]

Log = Callable[[str], Any]

#: Task -> the gallery recipe that trains it.
TASKS = {"superres": "superres", "denoise": "denoise", "inpaint": "inpaint", "cycle": "restyle"}
#: What a run given with ``--run TASK=RUN`` must have trained: method/corruption.
EXPECTED = {"superres": "pix2pix/downscale x4", "denoise": "pix2pix/noise", "inpaint": "pix2pix/mask", "cycle": "cycle"}
#: Side of the cells the inpainting masks are drawn in: the inpaint recipe's training crops.
MASK_CELL = 64
#: The noise the denoising task is scored at (the recipe trains a blind denoiser, sigma 5 to 50).
SIGMA = 25.0
TARGETS = {"train_seconds": 600.0, "psnr_gain_db": 0.5}
#: Held-out photos (never cropped for training: photos:train leaves them out).
TEST_PHOTOS = ("astronaut", "chelsea")
NLM_STRENGTHS = (10, 15, 20, 25, 30)
BLUR_SIGMAS = (0.6, 0.8, 1.0, 1.3, 1.6, 2.0)


@dataclass(frozen=True)
class Settings:
    """The benchmark's settings; ``steps`` None: each recipe's ``train.steps``."""

    tasks: tuple[str, ...] = ("superres", "denoise", "inpaint", "cycle")
    steps: int | None = None
    device: str = "auto"
    quick: bool = False
    #: where to write ``TASK-PHOTO.png`` (damaged | model | baseline | clean), or None
    images: str | None = None
    overrides: tuple[str, ...] = field(default_factory=tuple)
    #: flips and transposes each repair averages (1, 4, 8: ``ganvas restore --ensemble``)
    ensemble: int = 1
    #: task -> a run folder already trained (``--run TASK=RUN``): scored instead of training again
    runs: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def psnr(a: np.ndarray, b: np.ndarray, where: np.ndarray | None = None) -> float:
    """PSNR in dB of uint8 pictures ``(H, W, C)``, over the pixels ``where`` (H, W) marks if given."""
    diff = a.astype(np.float64) - b.astype(np.float64)
    mse = float((diff[where] if where is not None else diff).__pow__(2).mean())
    return float(10 * np.log10(255.0**2 / max(mse, 1e-10)))


def _ssim(a: np.ndarray, b: np.ndarray) -> float:
    from skimage.metrics import structural_similarity

    return float(structural_similarity(a, b, channel_axis=2, data_range=255))


def _recipe(host: PluginHost, task: str, settings: Settings) -> Recipe:
    from ganvas.recipe import apply_overrides, parse_recipe, read_recipe_source

    raw, label = read_recipe_source(TASKS[task])
    overrides = ["train.sample_every=0", "train.checkpoint_every=0", "train.eval_every=0"]
    overrides += [f"train.steps={settings.steps}"] if settings.steps else []
    if settings.quick:
        overrides += ["train.steps=3", "train.batch=2", "data.count=8", "method.width=4", "method.d_width=4"]
    apply_overrides(raw, [*overrides, *settings.overrides])
    return parse_recipe(raw, host.registry, source=label)


def held_out_photos(quick: bool) -> dict[str, np.ndarray]:
    """The held-out photos as uint8 ``(H, W, 3)`` (cut to 96 px for ``--quick``)."""
    from skimage import data

    photos = {name: np.ascontiguousarray(getattr(data, name)()[..., :3]) for name in TEST_PHOTOS}
    return {k: v[:96, :96].copy() if quick else v for k, v in photos.items()}


def _to_tensor(image: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(image).permute(2, 0, 1).float().div(255).unsqueeze(0)


def _to_uint8(images: torch.Tensor) -> np.ndarray:
    return images[0].clamp(0, 1).mul(255).round().byte().permute(1, 2, 0).cpu().numpy()


def _mask(host: PluginHost, shape: tuple[int, int], seed: int) -> np.ndarray:
    """A LaMa-style mask (1 = missing), fixed seed: the ``inpaint`` recipe's holes (the ``mask``
    corruption's strokes and boxes, at most a quarter of each cell, strokes up to 12 % of it) in
    every :data:`MASK_CELL`-px cell of the photo, the scale the recipe trains at (its crops)."""
    cut = host.get("corruptions", "mask").build(shapes="both", coverage=0.25, width=0.12)
    generator = torch.Generator().manual_seed(seed)
    mask = np.zeros(shape, dtype=np.float32)
    for top in range(0, shape[0], MASK_CELL):
        for left in range(0, shape[1], MASK_CELL):
            h, w = min(MASK_CELL, shape[0] - top), min(MASK_CELL, shape[1] - left)
            mask[top : top + h, left : left + w] = cut(torch.zeros(1, 3, h, w), generator)[0, -1].numpy()
    return mask


def baselines(task: str, clean: np.ndarray, damaged: np.ndarray, mask: np.ndarray | None) -> tuple[str, np.ndarray]:
    """The classical answer to ``task`` for ``damaged`` (uint8 ``(H, W, 3)``): its name and picture."""
    import cv2

    if task == "superres":
        h, w = clean.shape[:2]
        return "bicubic", cv2.resize(damaged, (w, h), interpolation=cv2.INTER_CUBIC)
    if task == "inpaint":
        assert mask is not None
        holes = (mask > 0).astype(np.uint8) * 255
        return "opencv telea", cv2.inpaint(damaged, holes, 3, cv2.INPAINT_TELEA)
    candidates = {f"gaussian blur sigma {s:g}": cv2.GaussianBlur(damaged, (0, 0), s) for s in BLUR_SIGMAS}
    for h in NLM_STRENGTHS:
        bgr = cv2.fastNlMeansDenoisingColored(damaged[..., ::-1].copy(), None, h, h, 7, 21)
        candidates[f"opencv non-local means h {h}"] = bgr[..., ::-1]
    best = max(candidates, key=lambda k: psnr(candidates[k], clean))
    return best, candidates[best]


def damage(host: PluginHost, task: str, clean: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
    """``clean`` damaged as the task scores it: shrunk 4x (the ``downscale`` corruption's own
    shrinking), noisy, or with holes (and the mask)."""
    if task == "superres":
        shrink = host.get("corruptions", "downscale").build(factor=4).shrink
        return _to_uint8(shrink(_to_tensor(clean))), None
    if task == "denoise":
        noise = np.random.default_rng(seed).normal(0, SIGMA, clean.shape)
        return np.clip(clean + noise, 0, 255).round().astype(np.uint8), None
    mask = _mask(host, clean.shape[:2], seed)
    damaged = clean.copy()
    damaged[mask > 0] = 128
    return damaged, mask


def _repair(drawer: Drawer, damaged: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    holes = None if mask is None else torch.from_numpy(mask)[None, None].float()
    return _to_uint8(drawer.translate(_to_tensor(damaged), holes))


def score_task(
    host: PluginHost, task: str, drawer: Drawer, photos: dict[str, np.ndarray], images: Path | None
) -> list[dict[str, Any]]:
    """PSNR/SSIM of the model and the baseline on each held-out photo (see the module docstring)."""
    rows = []
    for seed, (name, photo) in enumerate(photos.items()):
        h, w = photo.shape[:2]
        clean = photo[: h - h % 4, : w - w % 4]  # whole 4x cells for super-resolution
        damaged, mask = damage(host, task, clean, seed)
        started = time.perf_counter()
        ours = _repair(drawer, damaged, mask)
        seconds = time.perf_counter() - started
        baseline, theirs = baselines(task, clean, damaged, mask)
        holes = mask > 0 if mask is not None else None
        row: dict[str, Any] = {"photo": name, "size": f"{clean.shape[1]}x{clean.shape[0]}", "baseline": baseline}
        row["model_seconds"] = round(seconds, 2)
        for who, picture in (("model", ours), ("baseline", theirs)):
            row[f"{who}_psnr"] = round(psnr(picture, clean, holes), 3)
            row[f"{who}_ssim"] = round(_ssim(picture, clean), 4)
            if holes is not None:
                row[f"{who}_l1_holes"] = round(float(np.abs(picture.astype(float) - clean)[holes].mean()), 3)
        if task != "superres":
            row["input_psnr"] = round(psnr(damaged, clean, holes), 3)
        row["psnr_gain_db"] = round(row["model_psnr"] - row["baseline_psnr"], 3)
        rows.append(row)
        if images is not None:
            _save_row(images / f"{task}-{name}.png", [damaged, ours, theirs, clean])
    return rows


def _save_row(path: Path, pictures: list[np.ndarray]) -> None:
    """damaged | model | baseline | clean, side by side (the small super-resolution input enlarged
    with nearest neighbours, so its pixels show)."""
    from PIL import Image

    h, w = pictures[-1].shape[:2]
    tiles = [np.asarray(Image.fromarray(p).resize((w, h), Image.Resampling.NEAREST)) for p in pictures]
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.concatenate(tiles, axis=1)).save(path)


def run_repair_benchmark(host: PluginHost, settings: Settings, log: Log = _stderr) -> dict[str, Any]:
    """Train each task's recipe and score it; the report (see the module docstring)."""
    from ganvas.bench.resolution import train_for
    from ganvas.training import Trainer

    unknown = [t for t in settings.tasks if t not in TASKS]
    if unknown:
        from ganvas.errors import UnknownNameError

        raise UnknownNameError("task", unknown[0], list(TASKS))
    given = dict(settings.runs)
    recipes = {task: _recipe(host, task, settings) for task in settings.tasks if task not in given}
    photos = held_out_photos(settings.quick)
    images = Path(settings.images) if settings.images else None
    tasks = []
    for task in settings.tasks:
        entry: dict[str, Any] = {"task": task}
        if task in given:
            drawer, figures = _trained(host, task, Path(given[task]), settings.device, entry, log)
        else:
            recipe = recipes[task]
            log(f"{task}: training the '{recipe.name}' recipe ({recipe.train.steps} steps)")
            with tempfile.TemporaryDirectory(prefix="ganvas-bench-") as tmp:
                trainer = Trainer(recipe, Path(tmp) / "run", host, quiet=True, device=settings.device)
                timing = train_for(trainer, task, log, steps=recipe.train.steps)
            drawer = trainer.method.current_drawer()
            entry.update(recipe=recipe.name, steps=timing["steps"], train_seconds=timing["wall_seconds"])
            figures = trainer.method.evaluate() if task == "cycle" else {}
        drawer.ensemble = settings.ensemble
        if task == "cycle":
            entry["figures"] = {k: round(float(v), 3) for k, v in figures.items()}
            _save_cycle(drawer, images)
        else:
            entry["photos"] = score_task(host, task, drawer, photos, images)
            entry["psnr_gain_db"] = min(r["psnr_gain_db"] for r in entry["photos"])
        tasks.append(entry)
        log("  " + _task_line(entry))
    if images is not None:
        save_sheet(images, tasks)
    return {
        "benchmark": "repair",
        "settings": asdict(settings),
        "machine": {"platform": platform.platform(), "threads": torch.get_num_threads()},
        "tasks": tasks,
        "targets": _targets(tasks),
    }


def _trained(
    host: PluginHost, task: str, run_dir: Path, device: str, entry: dict[str, Any], log: Log
) -> tuple[Drawer, dict[str, float]]:
    """A run trained before (``--run TASK=RUN``): its drawer, its training time and steps from
    ``stats.jsonl``, and for ``cycle`` its last evaluation (the SWD figures) from the same file."""
    from ganvas.device import resolve_device
    from ganvas.drawing import load_run
    from ganvas.errors import UserInputError
    from ganvas.runs import Run

    loaded = load_run(run_dir, host, resolve_device(device))
    recipe = loaded.recipe
    made = recipe.method.name if recipe.method.name == "cycle" else f"{recipe.method.name}/{recipe.corrupt.name}"
    if recipe.corrupt.name == "downscale" and "corrupt" in recipe.uses:
        made += f" x{recipe.corrupt.params.get('factor')}"
    if made != EXPECTED[task]:
        raise UserInputError(
            f"--run {task}={run_dir}: that run trained {made}; the {task} task needs a {EXPECTED[task]} run"
        )
    lines = Run(run_dir).stats()
    if not lines:
        raise UserInputError(f"--run {task}={run_dir}: the run has no stats.jsonl lines to take its training time from")
    evaluated = [line for line in lines if "SWD/translated" in line]
    figures = {k: evaluated[-1][k] for k in ("SWD/translated", "SWD/input")} if evaluated else {}
    if task == "cycle" and not figures:
        raise UserInputError(
            f"--run cycle={run_dir}: the run logged no SWD/translated (train it with train.eval_every)"
        )
    entry.update(recipe=loaded.recipe.name, steps=loaded.step, train_seconds=round(float(lines[-1]["time_s"]), 3))
    entry["run"] = str(run_dir)
    log(f"{task}: scoring run {run_dir.name} (step {loaded.step}, trained in {entry['train_seconds']:.0f} s)")
    return loaded.drawer, figures


def _save_cycle(drawer: Drawer, images: Path | None) -> None:
    """With ``images``: held-out pictures beside their translations, ``DIR/cycle.png``."""
    if images is None:
        return
    from ganvas.io import make_grid, save_png, to_uint8

    pairs = drawer.draw(drawer.latents(list(range(4)))).float().cpu()
    images.mkdir(parents=True, exist_ok=True)
    save_png(make_grid(to_uint8(pairs), columns=2), images / "cycle.png")


def save_sheet(images: Path, tasks: list[dict[str, Any]], height: int = 240) -> Path:
    """``DIR/repair.jpg``: one row per task (a photo's damaged | model | baseline | clean, the photos in turn,
    and the cycle sheet), each row ``height`` px high, for the gallery."""
    from PIL import Image

    rows = []
    for index, entry in enumerate(tasks):
        task = entry["task"]
        photos = entry.get("photos", [])  # the photos in turn, row by row
        name = "cycle.png" if task == "cycle" else f"{task}-{photos[index % len(photos)]['photo']}.png"
        with Image.open(images / name) as picture:
            width = round(picture.width * height / picture.height)
            rows.append(picture.convert("RGB").resize((width, height), Image.Resampling.LANCZOS))
    sheet = Image.new("RGB", (max(r.width for r in rows), sum(r.height + 8 for r in rows) - 8), (16, 16, 16))
    top = 0
    for row in rows:
        sheet.paste(row, (0, top))
        top += row.height + 8
    path = images / "repair.jpg"  # photos: a JPEG is a fifth of the PNG, and the gallery has a size budget
    sheet.save(path, quality=90, optimize=True)
    return path


def _task_line(entry: dict[str, Any]) -> str:
    if "figures" in entry:
        figures = ", ".join(f"{k} {v}" for k, v in entry["figures"].items())
        return f"{entry['task']}: {entry['train_seconds']:.0f} s; {figures}"
    parts = [
        f"{r['photo']} {r['model_psnr']:.2f} vs {r['baseline_psnr']:.2f} dB ({r['baseline']})" for r in entry["photos"]
    ]
    return f"{entry['task']}: {entry['train_seconds']:.0f} s; " + "; ".join(parts)


def _targets(tasks: list[dict[str, Any]]) -> dict[str, Any]:
    paired = [t for t in tasks if "photos" in t]
    return {
        "train_seconds": {
            "target": f"<= {TARGETS['train_seconds']:g}",
            "met": all(t["train_seconds"] <= TARGETS["train_seconds"] for t in tasks),
        },
        "psnr_gain_db": {
            "target": f">= {TARGETS['psnr_gain_db']:g} dB over each baseline on each photo",
            "met": bool(paired) and all(t["psnr_gain_db"] >= TARGETS["psnr_gain_db"] for t in paired),
            "per_task": {t["task"]: t["psnr_gain_db"] for t in paired},
        },
    }


def format_report(report: dict[str, Any]) -> str:
    """The report as a table: a row per task and photo, then the targets."""
    head = f"{'task':<9} {'photo':<10} {'train s':>7} {'input':>6} {'model dB':>8} {'SSIM':>6} {'base dB':>7} {'SSIM':>6} {'gain':>6}  baseline"
    lines = ["repair benchmark: held-out photos (" + ", ".join(TEST_PHOTOS) + ")", head]
    for t in report["tasks"]:
        if "figures" in t:
            figures = ", ".join(f"{k} {v}" for k, v in t["figures"].items())
            lines.append(f"{t['task']:<9} {'-':<10} {t['train_seconds']:>7.0f}  {figures}")
            continue
        for r in t["photos"]:
            cells = f"{r.get('input_psnr', float('nan')):>6.2f} {r['model_psnr']:>8.2f} {r['model_ssim']:>6.3f} "
            cells += f"{r['baseline_psnr']:>7.2f} {r['baseline_ssim']:>6.3f} {r['psnr_gain_db']:>+6.2f}"
            lines.append(f"{t['task']:<9} {r['photo']:<10} {t['train_seconds']:>7.0f} {cells}  {r['baseline']}")
    for key, target in report["targets"].items():
        lines.append(f"target {key} {target['target']}: {'met' if target['met'] else 'MISSED'}")
    return "\n".join(lines)
