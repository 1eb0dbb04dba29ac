"""``ganvas bench stream``: memory while training on a folder of many small images, held in memory
against read from its on-disk cache.

1. A folder of ``count`` small PNGs (procedural: gradients, stripes and noise, ``size`` px, 1,000
   per sub-folder) is written, timed; or ``--folder DIR``'s own images are used.
2. The default recipe (a CPPN at ``size`` px, batch 64) trains on it for ``steps`` steps in four
   child processes, one at a time: on 64 of the images (the floor: what training needs besides
   the data), ``data.cache = "memory"`` (every image decoded into one tensor at start), ``"disk"``
   with no cache yet (decoded once into the cache, then read batch by batch) and ``"disk"`` again
   (the cache reused). Each child's peak resident memory comes from
   ``os.wait4`` (its own, not the bench's), with its start-up (data loading) time and images/s.

The caches go to a temporary ``GANVAS_CACHE_DIR``; nothing is left behind but ``--folder``.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ganvas.errors import GanvasError, UserInputError

__all__ = ["Settings", "make_folder", "run_stream_benchmark", "format_report", "child"]

#: The runs, in order: (label, data.cache, data.limit); the first is the floor: the same training
#: on 64 of the images, what the process needs besides the data.
RUNS = (
    ("floor: 64 images in memory", "memory", 64),
    ("memory", "memory", 0),
    ("disk, building the cache", "disk", 0),
    ("disk, cache reused", "disk", 0),
)


@dataclass(frozen=True)
class Settings:
    """The benchmark's settings: the folder to make (or use) and the training to measure."""

    count: int = 100_000
    size: int = 32
    steps: int = 20
    batch: int = 64
    threads: int = 1
    #: A folder of images to use; an empty or missing one is filled with ``count`` generated
    #: images and kept. "": generate into a temporary folder.
    folder: str = ""


def _pictures(rng: np.random.Generator, count: int, size: int) -> np.ndarray:
    """``count`` small RGB drawings ``(count, size, size, 3)`` uint8: a tilted gradient, stripes
    of random frequency and angle, and noise, each in random colours."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    angle, freq, phase = rng.random((3, count, 1, 1)).astype(np.float32)
    angle *= 2 * np.pi
    wave = np.sin((np.cos(angle) * xx + np.sin(angle) * yy) * (2 + 10 * freq) * np.pi + 6 * phase) * 0.5 + 0.5
    ramp = (xx * np.cos(angle) + yy * np.sin(angle) + 1.5) / 3
    colours = rng.random((count, 2, 3)).astype(np.float32)
    noise = rng.random((count, size, size, 1), dtype=np.float32) * 0.15
    picture = wave[..., None] * colours[:, None, None, 0] + ramp[..., None] * colours[:, None, None, 1] + noise
    return (np.clip(picture / 2.15, 0, 1) * 255).astype(np.uint8)


def make_folder(root: Path, count: int, size: int, seed: int = 0) -> float:
    """Write ``count`` PNGs of ``size`` px below ``root`` (1,000 per sub-folder); returns the seconds."""
    from PIL import Image

    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    for first in range(0, count, 1000):
        folder = root / f"{first // 1000:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        for offset, picture in enumerate(_pictures(rng, min(1000, count - first), size)):
            Image.fromarray(picture).save(folder / f"{first + offset:07d}.png", compress_level=1)
    return time.perf_counter() - start


def _recipe(spec: dict[str, Any]) -> dict[str, Any]:
    """The default recipe, trained on the folder at ``size`` px with ``data.cache`` = ``cache``."""
    from ganvas.recipe import DEFAULT_RECIPE, read_recipe_source

    raw, _ = read_recipe_source(DEFAULT_RECIPE)
    raw["data"] = {"source": f"folder:{spec['folder']}", "size": spec["size"], "cache": spec["cache"]}
    raw["data"]["limit"] = spec["limit"]
    raw["train"].update(steps=spec["steps"] + 1, batch=spec["batch"], device="cpu", sample_every=0)
    return raw


def _vm_hwm_mb() -> float | None:
    """This process's peak resident memory in MB from ``/proc/self/status`` (Linux), else None."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def child() -> None:  # pragma: no cover - runs in a child process (covered through the bench)
    """One measured run: build a Trainer on the spec in ``argv[1]``, train, print JSON."""
    import torch

    from ganvas.plugin import PluginHost
    from ganvas.recipe import parse_recipe
    from ganvas.training import Trainer

    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec["threads"])
    host = PluginHost(entry_points=False)
    recipe = parse_recipe(_recipe(spec), host.registry, source="bench stream")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        trainer = Trainer(recipe, Path(tmp), host, quiet=True, device="cpu")
        loaded = time.perf_counter()
        trainer.advance()  # untimed: first-step allocations
        timed = time.perf_counter()
        for _ in range(spec["steps"]):
            trainer.advance()
        done = time.perf_counter()
    report = {
        "kind": type(trainer.data).__name__,
        "items": len(trainer.data),
        "load_s": round(loaded - start, 2),
        "images_per_s": round(spec["steps"] * spec["batch"] / (done - timed), 1),
        "vm_hwm_mb": _vm_hwm_mb(),
    }
    print(json.dumps(report))


def _measure(spec: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    """Run one child and wait for it alone: its figures and its own peak RSS (``os.wait4``)."""
    code = "from ganvas.bench.streaming import child; child()"
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", code, json.dumps(spec)], stdout=out, stderr=err, env=env)
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            peak = usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)
        else:  # pragma: no cover - no wait4: the largest child so far
            process.wait()
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**10
        wall = time.perf_counter() - started
        out.seek(0), err.seek(0)
        output, errors = out.read(), err.read()
    if process.returncode:
        last = errors.strip().splitlines()[-1:] or ["no output"]
        raise GanvasError(f"bench stream: the {spec['cache']} run failed ({process.returncode}): {last[0]}")
    lines = [line for line in output.splitlines() if line.startswith("{")]
    return {**json.loads(lines[-1]), "peak_rss_mb": round(peak, 1), "wall_s": round(wall, 1)}


def _folder(settings: Settings, scratch: Path, log: Callable[[str], None]) -> tuple[Path, float | None, int]:
    """The folder to train on, the seconds it took to generate (None: given) and its image count."""
    from ganvas.io import IMAGE_SUFFIXES

    root = Path(settings.folder).expanduser() if settings.folder else scratch / "images"
    found = sum(1 for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES) if root.is_dir() else 0
    if found:
        log(f"using the {found} images in '{root}'")
        return root, None, found
    if root.exists() and any(root.iterdir()):
        raise UserInputError(
            f"--folder '{root}' holds no images and is not empty: give an empty folder or one of images"
        )
    log(f"writing {settings.count} PNGs of {settings.size} px to '{root}' ...")
    seconds = make_folder(root, settings.count, settings.size)
    log(f"  {seconds:.1f} s ({settings.count / seconds:.0f} files/s)")
    return root, seconds, settings.count


def run_stream_benchmark(settings: Settings, log: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Make (or find) the folder, then measure the memory, disk-build and disk-reuse runs."""
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    with tempfile.TemporaryDirectory(prefix="ganvas-bench-stream-") as tmp:
        root, generated, count = _folder(settings, Path(tmp), log)
        env = {**os.environ, "GANVAS_CACHE_DIR": str(Path(tmp) / "cache"), "OMP_NUM_THREADS": str(settings.threads)}
        base = {"folder": str(root), "size": settings.size, "steps": settings.steps, "batch": settings.batch}
        runs = []
        for label, cache, limit in RUNS:
            log(f"training {settings.steps} steps: {label} ...")
            result = _measure({**base, "cache": cache, "limit": limit, "threads": settings.threads}, env)
            log(f"  peak RSS {result['peak_rss_mb']:.0f} MB, start-up {result['load_s']:.1f} s")
            runs.append({"run": label, "cache": cache, "limit": limit, **result})
        cache_mb = sum(p.stat().st_size for p in (Path(tmp) / "cache").rglob("*") if p.is_file()) / 2**20
    floor, memory, disk = runs[0]["peak_rss_mb"], runs[1]["peak_rss_mb"], runs[3]["peak_rss_mb"]
    return {
        "benchmark": "stream",
        "settings": asdict(settings),
        "images": count,
        "generated_s": None if generated is None else round(generated, 2),
        "decoded_mb": round(count * 3 * settings.size**2 / 2**20, 1),
        "cache_mb": round(cache_mb, 2),
        "runs": runs,
        "peak_rss_saved_mb": round(memory - disk, 1),
        "peak_rss_ratio": round(disk / memory, 3) if memory else None,
        "data_rss_mb": {"memory": round(memory - floor, 1), "disk": round(disk - floor, 1)},
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_before": None if load_before is None else [round(v, 2) for v in load_before],
            "load_after": [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        },
    }


def format_report(report: dict[str, Any]) -> str:
    """The report as a small table."""
    s = report["settings"]
    made = "" if report["generated_s"] is None else f", written in {report['generated_s']} s"
    lines = [
        f"{report['images']} images at {s['size']} px{made}; decoded {report['decoded_mb']} MB, "
        f"cache file {report['cache_mb']} MB; default recipe (cppn), batch {s['batch']}, {s['steps']} steps, "
        f"{s['threads']} thread(s)",
        "",
        f"{'run':<26} {'peak RSS MB':>12} {'start-up s':>11} {'img/s':>8}",
    ]
    for run in report["runs"]:
        lines.append(f"{run['run']:<26} {run['peak_rss_mb']:>12.0f} {run['load_s']:>11.1f} {run['images_per_s']:>8.0f}")
    lines += [
        "",
        f"disk (cache reused) peaks {report['peak_rss_saved_mb']:.0f} MB lower than memory "
        f"({report['peak_rss_ratio']:.2f}x); above the floor: memory {report['data_rss_mb']['memory']:.0f} MB, "
        f"disk {report['data_rss_mb']['disk']:.0f} MB; load average before/after: "
        f"{report['machine']['load_before']} / {report['machine']['load_after']}",
    ]
    return "\n".join(lines)
