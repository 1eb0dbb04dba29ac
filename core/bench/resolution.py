"""``ganvas bench resolution``: an any-size generator (``cppn``) against the default DCGAN and
bicubic upsampling, on the same data and the same CPU time.

1. Training, in memory: the built-in ``default`` recipe's data and schedule with the DCGAN it
   used before it became a cppn (``procedural:stripes``, 32 px, width 32) trains ``--steps`` steps
   (default: 1,500, as it did), its process CPU time (``time.process_time``)
   measured; the recipe with ``[model] name = "cppn"`` (defaults) and the texture model (5) then
   train until each has used as much, the clock read every step. Recipe seed; ganvas's threads.
2. SWD x10^3 of ``--samples`` EMA samples at the training size against as many real images
   (drawing seed 1), beside the real-vs-real floor (seed 2). Target: cppn / DCGAN <= 1.2.
3. Edges at ``--size`` px for ``--seeds`` seeds, cppn rendered natively, the DCGAN upsampled
   bicubically (as ``ganvas sample --size``), both 8-bit: median width (10-90 % rise) and mean
   gradient (:mod:`ganvas.bench.crispness`). Target: the DCGAN's at least 4x as wide.
4. One ``--render`` px picture of the cppn and of the texture model, each in a spawned child
   process that loads the generator, warms up at 256 px, then times the render and measures its
   memory (peak RSS during it above the RSS before; torch's peak on CUDA). Target: <= 10 s.
5. Texture: ``spatial`` (defaults) on ``texture:cobbles`` (2,048 crops, 64 px; batch 32,
   non-saturating, Adam 2e-4 / 0.5, EMA 0.995); 512 px tiles for ``--seeds`` seeds: the seam error
   (mean absolute difference across the wrap, pixels in [0, 1]) against the interior difference
   (adjacent pixels), also for ordinary renders. Target: a tile's seam <= its interior.

``--quick`` shrinks every size and count so the whole path runs in seconds; its figures mean
nothing. The report's ``targets`` compare each figure with its target.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from ganvas.bench.crispness import edge_summary, interior_difference, luminance, seam_error
from ganvas.bench.timing import sync

if TYPE_CHECKING:
    from ganvas.plugin import PluginHost
    from ganvas.recipe import Recipe
    from ganvas.training import Drawer, Trainer

__all__ = ["Settings", "QUICK", "settings_for", "train_for", "run_resolution_benchmark", "format_report"]

Log = Callable[[str], Any]

#: What ``--quick`` changes (options a user gives still win), and its recipe overrides.
QUICK: dict[str, Any] = {"steps": 3, "samples": 16, "size": 128, "render": 256, "seeds": 2, "tile": 64}
QUICK_OVERRIDES = ["data.count=64", "train.batch=16"]
#: The texture data and training settings of the ``spatial`` model.
TEXTURE_DATA: dict[str, Any] = {"source": "texture:cobbles", "size": 64, "count": 2048}
TEXTURE_TRAIN: dict[str, Any] = {"batch": 32, "lr_g": 2e-4, "lr_d": 2e-4, "betas": [0.5, 0.999], "ema": 0.995}
WARMUP = 256
RENDER_TARGET_S = 10.0


@dataclass(frozen=True)
class Settings:
    """The benchmark's settings; ``steps`` None: the recipe's ``train.steps``."""

    steps: int | None = None
    samples: int = 256
    size: int = 1024
    render: int = 2048
    seeds: int = 8
    tile: int = 512
    device: str = "auto"
    quick: bool = False


def settings_for(quick: bool = False, **given: Any) -> Settings:
    """Settings from the options a user gave, else ``--quick``'s values, else the defaults."""
    values = {**(QUICK if quick else {}), **{k: v for k, v in given.items() if v is not None}}
    return Settings(quick=quick, **values)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _finite(value: float | None, digits: int = 4) -> float | None:
    """``value`` rounded, or None when it is missing or not finite (JSON has no NaN)."""
    return round(value, digits) if value is not None and math.isfinite(value) else None


BASELINE_MODEL, BASELINE_STEPS = {"name": "dcgan", "width": 32, "z_dim": 64}, 1500  # default's old DCGAN


def _recipes(host: PluginHost, settings: Settings) -> dict[str, Recipe]:
    """The baseline (``default``'s data with the DCGAN it used to train), the challenger (cppn,
    its defaults) and the texture recipe (spatial on ``texture:cobbles``), for in-memory training."""
    from ganvas.recipe import apply_overrides, parse_recipe, read_recipe_source

    raw, label = read_recipe_source("default")
    raw["model"], raw["train"] = dict(BASELINE_MODEL), {**raw["train"], "steps": BASELINE_STEPS}
    overrides = ["train.sample_every=0", "train.checkpoint_every=0", "train.eval_every=0"]
    overrides += [f"train.steps={settings.steps}"] if settings.steps else []
    apply_overrides(raw, overrides + (QUICK_OVERRIDES if settings.quick else []))
    texture_data = {**TEXTURE_DATA, **({"count": 64} if settings.quick else {})}
    texture_train = {**raw["train"], **TEXTURE_TRAIN, **({"batch": 16} if settings.quick else {})}
    raws = {
        "baseline": raw,
        "challenger": {**raw, "name": "default-cppn", "model": {"name": "cppn"}},
        "texture": {**raw, "name": "texture-spatial", "data": texture_data, "model": {"name": "spatial"}},
    }
    raws["texture"].update(loss={"name": "nonsaturating"}, train=texture_train)
    return {role: parse_recipe(r, host.registry, source=f"{label}: {role}") for role, r in raws.items()}


def train_for(
    trainer: Trainer, name: str, log: Log, *, steps: int | None = None, cpu_seconds: float | None = None
) -> dict[str, Any]:
    """Train ``trainer``'s method in memory (no run folder) for ``steps`` steps or until it has
    used ``cpu_seconds`` of process CPU time (checked before every step); the steps and seconds."""
    if steps is None and cpu_seconds is None:
        raise ValueError("train_for needs steps or cpu_seconds")
    log(f"training {name}: " + (f"{steps} steps" if steps is not None else f"{cpu_seconds:.1f} s of CPU time"))
    method, device = trainer.method, trainer.device
    cpu0, wall0 = time.process_time(), time.perf_counter()
    done = shown = 0
    while True:
        used = time.process_time() - cpu0
        if (steps is not None and done >= steps) or (cpu_seconds is not None and used >= cpu_seconds):
            break
        method.train_step(done)
        sync(device)
        done += 1
        tenth = int(10 * (done / steps if steps is not None else used / (cpu_seconds or 1.0)))
        if tenth > shown:
            shown = tenth
            log(f"  {name}: step {done}, {used:.0f} s CPU, {time.perf_counter() - wall0:.0f} s wall")
    return {
        "model": trainer.recipe.model.name,
        "data": trainer.recipe.data.name + ":" + trainer.recipe.data.argument,
        "steps": done,
        "cpu_seconds": round(used, 3),
        "wall_seconds": round(time.perf_counter() - wall0, 3),
    }


@torch.no_grad()
def _swd(host: PluginHost, recipe: Recipe, drawers: dict[str, Drawer], samples: int) -> dict[str, Any]:
    """Laplacian SWD x10^3 of each drawer's samples against real images, and the floor."""
    from ganvas.metrics import laplacian_swd as swd

    dataset = host.get("datasets", recipe.data.name)
    held, other = (
        dataset.build(recipe.data.argument, **{**recipe.data.params, "count": samples, "seed": seed})
        .batch(torch.arange(samples))
        .float()
        .cpu()
        for seed in (1, 2)
    )
    report: dict[str, Any] = {"samples": samples, "size": held.shape[-1], "floor": swd(other, held)["average"]}
    for role, drawer in drawers.items():
        fake = drawer.draw(drawer.latents(list(range(samples)))).float().cpu().clamp(-1, 1)
        report[role] = swd(fake, held)["average"]
    report["ratio"] = report["challenger"] / report["baseline"] if report["baseline"] > 0 else None
    return {key: _finite(value) if isinstance(value, float) else value for key, value in report.items()}


@torch.no_grad()
def _crispness(host: PluginHost, baseline: Drawer, challenger: Drawer, size: int, seeds: int) -> dict[str, Any]:
    """Edges at ``size`` px: the baseline upsampled bicubically, the challenger rendered natively."""
    from ganvas.drawing import finish_images

    lumas: dict[str, list[torch.Tensor]] = {"baseline": [], "challenger": []}
    for seed in range(seeds):
        small = baseline.draw(baseline.latents([seed]))
        lumas["baseline"].append(luminance(finish_images(small, [], host, size)[0].float() / 255))
        native = challenger.draw(challenger.latents([seed]), size=(size, size))
        lumas["challenger"].append(luminance(finish_images(native, [], host)[0].float() / 255))
    report: dict[str, Any] = {"size": size, "seeds": seeds}
    report.update({role: edge_summary(images) for role, images in lumas.items()})
    wide, narrow = report["baseline"]["median_width_px"], report["challenger"]["median_width_px"]
    report["width_ratio"] = _finite(wide / narrow) if wide is not None and narrow else None
    return report


def _rss_mb(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process in MB, from ``/proc/self/status`` (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise OSError(f"/proc/self/status has no {field}")


def _reset_peak_rss() -> float | None:
    """Reset the kernel's peak-RSS mark to the current RSS (Linux: ``/proc/self/clear_refs``);
    returns the current RSS in MB, or None where this is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _rss_mb("VmRSS")
    except OSError:
        return None


def _render_child(path: str, size: int, warmup: int, threads: int) -> dict[str, Any]:
    """In a fresh process: load the drawer saved at ``path``, warm up, time one ``size`` px render
    and measure its memory: the peak RSS during it above the RSS before it (where the peak can be
    reset, Linux), else the growth of ``ru_maxrss`` across it (which misses what stays below the
    warm-up's peak)."""
    import resource

    torch.set_num_threads(threads)
    drawer = torch.load(path, weights_only=False)
    z = drawer.latents([0])
    drawer.draw(z, size=(warmup, warmup))
    cuda = drawer.device.type == "cuda"
    if cuda:
        torch.cuda.reset_peak_memory_stats(drawer.device)
    sync(drawer.device)
    unit = 2**20 if sys.platform == "darwin" else 2**10  # ru_maxrss: bytes on macOS, KiB on Linux
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / unit
    rss = _reset_peak_rss()
    start = time.perf_counter()
    picture = drawer.draw(z, size=(size, size))
    sync(drawer.device)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / unit
    memory = _rss_mb("VmHWM") - rss if rss is not None else peak - maxrss
    return {
        "seconds": round(seconds, 3),
        "memory_mb": round(memory, 1),
        "memory_how": "peak RSS during the render - RSS before" if rss is not None else "growth of ru_maxrss",
        "peak_rss_mb": round(max(peak, maxrss), 1),
        "cuda_peak_mb": round(torch.cuda.max_memory_allocated(drawer.device) / 2**20, 1) if cuda else None,
        "shape": list(picture.shape),
        "finite": bool(torch.isfinite(picture).all()),
    }


def _render(drawer: Drawer, name: str, size: int, threads: int, log: Log) -> dict[str, Any]:
    """Time one ``size`` px render of ``drawer`` (and its memory) in a spawned child process."""
    log(f"rendering {name} at {size}x{size} in a child process")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "drawer.pt"
        torch.save(drawer, path)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            result: dict[str, Any] = pool.submit(_render_child, str(path), size, min(WARMUP, size), threads).result()
    log(f"  {name}: {result['seconds']:.2f} s, {result['memory_mb']:.0f} MB")
    return result


@torch.no_grad()
def _seams(drawer: Drawer, tile: int, seeds: int) -> dict[str, Any]:
    """Seam error and interior difference of ``tile`` px tiles, and of ordinary renders."""
    from ganvas.io import to_uint8

    figures: dict[str, list[tuple[float, float]]] = {"tile": [], "plain": []}
    for seed in range(seeds):
        z = drawer.latents([seed])
        for kind, wrap in (("tile", True), ("plain", False)):
            picture = to_uint8(drawer.draw(z, size=(tile, tile), tile=wrap))[0].float().div(255)
            figures[kind].append((seam_error(picture), interior_difference(picture)))
    report: dict[str, Any] = {"size": tile, "seeds": seeds}
    for kind, pairs in figures.items():
        report[kind] = {
            "seam": _finite(statistics.fmean(s for s, _ in pairs), 5),
            "interior": _finite(statistics.fmean(i for _, i in pairs), 5),
        }
    return report


def _check(what: str, value: float | None, rule: str, target: float | None) -> dict[str, Any]:
    """One target: the measured value, the rule and whether the value meets it."""
    met = value is not None and target is not None and (value <= target if rule == "<=" else value >= target)
    return {"what": what, "value": value, "rule": rule, "target": target, "pass": bool(met)}


def _targets(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every target of the benchmark, computed from the report's measurements."""
    crisp, render, seam = report["crispness"], report["render"], report["seam"]["tile"]
    return {
        "swd_ratio": _check("SWD cppn / dcgan at the training size", report["swd"]["ratio"], "<=", 1.2),
        "edge_width_ratio": _check(
            f"edge width dcgan+bicubic / cppn at {crisp['size']} px", crisp["width_ratio"], ">=", 4.0
        ),
        "render_seconds": _check(
            f"seconds to render cppn at {render['size']} px", render["challenger"]["seconds"], "<=", RENDER_TARGET_S
        ),
        "texture_render_seconds": _check(
            f"seconds to render spatial at {render['size']} px", render["texture"]["seconds"], "<=", RENDER_TARGET_S
        ),
        "seam": _check("spatial tile seam error vs interior difference", seam["seam"], "<=", seam["interior"]),
    }


def run_resolution_benchmark(host: PluginHost, settings: Settings, log: Log = _stderr) -> dict[str, Any]:
    """Train the three models for the same CPU time and measure them; returns the report."""
    from ganvas.device import configure_threads
    from ganvas.training import Trainer

    threads, why = configure_threads()
    recipes = _recipes(host, settings)
    names = {"baseline": "baseline (dcgan)", "challenger": "challenger (cppn)", "texture": "texture (spatial)"}
    trainers: dict[str, Trainer] = {}
    training: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for role, recipe in recipes.items():
            trainers[role] = Trainer(recipe, Path(tmp) / role, host, quiet=True, device=settings.device)
            budget = None if role == "baseline" else training["baseline"]["cpu_seconds"]
            steps = recipe.train.steps if role == "baseline" else None
            training[role] = train_for(trainers[role], names[role], log, steps=steps, cpu_seconds=budget)
    drawers = {role: trainer.method.current_drawer() for role, trainer in trainers.items()}
    log("measuring SWD")
    swd = _swd(host, recipes["baseline"], {r: drawers[r] for r in ("baseline", "challenger")}, settings.samples)
    log(f"measuring edges at {settings.size} px")
    crisp = _crispness(host, drawers["baseline"], drawers["challenger"], settings.size, settings.seeds)
    render: dict[str, Any] = {"size": settings.render, "warmup": min(WARMUP, settings.render), "threads": threads}
    for role in ("challenger", "texture"):
        render[role] = _render(drawers[role], names[role], settings.render, threads, log)
    log(f"measuring seams of {settings.tile} px tiles")
    seam = _seams(drawers["texture"], settings.tile, settings.seeds)
    report: dict[str, Any] = {
        "benchmark": "resolution",
        "machine": {
            "device": str(trainers["baseline"].device),
            "torch_threads": threads,
            "threads_why": why,
            "cpus": os.cpu_count(),
            "torch": torch.__version__,
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "settings": {**asdict(settings), "steps": recipes["baseline"].train.steps, "recipe": "default"},
        "training": training,
        "swd": swd,
        "crispness": crisp,
        "render": render,
        "seam": seam,
    }
    report["targets"] = _targets(report)
    return report


def _number(value: float | None, spec: str = ".3g", unit: str = "") -> str:
    return "n/a" if value is None else format(value, spec) + unit


def _figure_lines(r: dict[str, Any]) -> list[str]:
    """The measurements of the report as aligned lines."""
    lines = ["training (same CPU time)        steps   CPU s  wall s"]
    for role, t in r["training"].items():
        lines.append(f"  {role:<11} {t['model']:<8}  {t['steps']:>10} {t['cpu_seconds']:7.1f} {t['wall_seconds']:7.1f}")
    s = r["swd"]
    lines.append(
        f"SWD x10^3 at {s['size']} px, {s['samples']} samples: dcgan {_number(s['baseline'])}, "
        f"cppn {_number(s['challenger'])}, real-vs-real floor {_number(s['floor'])}"
    )
    c = r["crispness"]
    lines.append(f"edges at {c['size']} px ({c['seeds']} seeds)   median width   mean gradient   edges")
    for role, label in (("baseline", "dcgan + bicubic"), ("challenger", "cppn native")):
        e = c[role]
        lines.append(
            f"  {label:<22} {_number(e['median_width_px'], '.3g', ' px'):>12} {_number(e['mean_gradient']):>15} "
            f"{e['edges']:>7}"
        )
    g = r["render"]
    for role, label in (("challenger", "cppn"), ("texture", "spatial")):
        x = g[role]
        cuda = f", CUDA peak {x['cuda_peak_mb']:.0f} MB" if x["cuda_peak_mb"] is not None else ""
        lines.append(
            f"render {label} {g['size']}x{g['size']}: {x['seconds']:.2f} s, {x['memory_mb']:.0f} MB "
            f"({x['memory_how']}; process peak {x['peak_rss_mb']:.0f} MB){cuda}"
        )
    m = r["seam"]
    lines.append(
        f"{m['size']} px tiles ({m['seeds']} seeds): seam {_number(m['tile']['seam'])} vs interior "
        f"{_number(m['tile']['interior'])}; ordinary render: seam {_number(m['plain']['seam'])} vs interior "
        f"{_number(m['plain']['interior'])}"
    )
    return lines


def format_report(r: dict[str, Any]) -> str:
    """The report of :func:`run_resolution_benchmark` as a readable table."""
    m = r["machine"]
    lines = [
        f"ganvas bench resolution: cppn against the default DCGAN + bicubic; {m['device']} "
        f"({m['torch_threads']} thread{'s' if m['torch_threads'] != 1 else ''}), torch {m['torch']}"
        + (" [--quick: figures mean nothing]" if r["settings"]["quick"] else ""),
        *_figure_lines(r),
        "targets",
    ]
    for t in r["targets"].values():
        verdict = "pass" if t["pass"] else "FAIL"
        lines.append(f"  {verdict}  {t['what']}: {_number(t['value'])} {t['rule']} {_number(t['target'])}")
    return "\n".join(lines)
