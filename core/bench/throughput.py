"""``ganvas bench throughput``: images/s of ganvas's training step against a bare PyTorch loop,
for each speed setting (``[train] precision``, ``channels_last``, ``compile``).

For each setting the ganvas side is a :class:`~ganvas.training.Trainer` of the recipe with that
setting, stepped as ``ganvas train`` steps it (the method, stats, the step hook) but writing no
files; the bare side is a hand-written loop that does the same maths with copies of the same
networks: plain Adam, the non-saturating loss, D's phase with G under no_grad, G's phase with D
frozen, the EMA the recipe asks for, under the same ``torch.autocast`` / ``GradScaler`` /
channels-last / ``torch.compile``. Every side of every setting lives in one process and they
are timed in alternating rounds (the order reversed every other round), so drift in machine
load hits all alike; the warm-up steps (compilation included) are not timed. A setting this
device or torch cannot run gives a row with its error instead of figures.
"""

from __future__ import annotations

import copy
import os
import platform
import statistics
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from ganvas.bench.timing import seconds_per_call
from ganvas.errors import UserInputError
from ganvas.plugin import PluginHost
from ganvas.recipe import load_recipe
from ganvas.training import Trainer
from ganvas.training.speed import PRECISIONS

__all__ = ["SETTINGS", "BareLoop", "parse_settings", "run_throughput_benchmark", "format_report"]

#: Setting names and the ``[train]`` values each sets; ``a+b`` combines them (``bf16+channels-last``).
SETTINGS: dict[str, dict[str, Any]] = {
    "fp32": {},
    "bf16": {"precision": "bf16"},
    "fp16": {"precision": "fp16"},
    "channels-last": {"channels_last": True},
    "compile": {"compile": True},
}
DEFAULT_SETTINGS = "fp32,bf16,channels-last,compile"


def parse_settings(text: str) -> dict[str, dict[str, Any]]:
    """``"fp32,bf16+channels-last"`` -> each setting's ``[train]`` values, in order."""
    out: dict[str, dict[str, Any]] = {}
    for name in (item.strip() for item in text.split(",")):
        if not name:
            continue
        values: dict[str, Any] = {}
        for part in name.split("+"):
            if part not in SETTINGS:
                raise UserInputError(
                    f"--settings: unknown setting {part!r}; valid: {', '.join(SETTINGS)} (join with +)"
                )
            values |= SETTINGS[part]
        out[name] = values
    if not out:
        raise UserInputError(f"--settings: name at least one of {', '.join(SETTINGS)}")
    return out


class BareLoop:
    """The training step as one would write it by hand, with ``train``'s speed settings."""

    def __init__(self, trainer: Trainer) -> None:
        method: Any = trainer.method  # the gan method: copies of its networks, the same weights
        cfg, device = trainer.recipe.train, trainer.device
        self.G, self.D = copy.deepcopy(method.G), copy.deepcopy(method.D)
        if cfg.channels_last:
            for net in (self.G, self.D):
                net.to(memory_format=torch.channels_last)
        self.G_fast: Any = torch.compile(self.G) if cfg.compile else self.G
        self.D_fast: Any = torch.compile(self.D) if cfg.compile else self.D
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=cfg.lr_g, betas=tuple(cfg.betas))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=cfg.lr_d, betas=tuple(cfg.betas))
        dtype = PRECISIONS[cfg.precision]
        self.autocast: Callable[[], AbstractContextManager[Any]] = (
            (lambda: torch.autocast(device.type, dtype=dtype)) if dtype is not None else nullcontext
        )
        fp16 = cfg.precision == "fp16"
        self.scalers = (torch.amp.GradScaler(device.type), torch.amp.GradScaler(device.type)) if fp16 else None
        self.ema = copy.deepcopy(self.G).requires_grad_(False) if method.ema.beta > 0 else None
        self.beta = method.ema.beta
        self.images, self.batch, self.z_dim, self.device = trainer.data.data, cfg.batch, method.z_dim, device
        self.channels_last = cfg.channels_last

    def _real(self) -> torch.Tensor:
        idx = torch.randint(len(self.images), (self.batch,), device=self.images.device)
        real = self.images[idx].to(self.device, non_blocking=True)
        real = real.float().div_(127.5).sub_(1.0) if real.dtype == torch.uint8 else real
        return real.contiguous(memory_format=torch.channels_last) if self.channels_last else real

    def _update(self, opt: torch.optim.Optimizer, loss: torch.Tensor, which: int) -> None:
        opt.zero_grad(set_to_none=True)
        if self.scalers is None:
            loss.backward()
            opt.step()
            return
        scaler = self.scalers[which]
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()

    def step(self) -> None:
        """One D step, one G step and the EMA, as the ganvas trainer takes them."""
        real = self._real()
        z = torch.randn(self.batch, self.z_dim, device=self.device)
        self.D.requires_grad_(True)
        with self.autocast():
            with torch.no_grad():
                fake = self.G_fast(z)
            loss_d = F.softplus(-self.D_fast(real)).mean() + F.softplus(self.D_fast(fake)).mean()
        self._update(self.opt_d, loss_d, 1)
        self.D.requires_grad_(False)
        z = torch.randn(self.batch, self.z_dim, device=self.device)
        with self.autocast():
            loss_g = F.softplus(-self.D_fast(self.G_fast(z))).mean()
        self._update(self.opt_g, loss_g, 0)
        if self.ema is not None:
            with torch.no_grad():
                torch._foreach_lerp_(list(self.ema.parameters()), list(self.G.parameters()), 1.0 - self.beta)


def device_name(device: torch.device) -> str:
    """The GPU's or the CPU's model name."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "cpu":
        try:
            with open("/proc/cpuinfo") as handle:
                for line in handle:
                    if line.startswith("model name"):
                        return line.partition(":")[2].strip()
        except OSError:
            pass
        return platform.processor() or platform.machine()
    return device.type


def _side_pair(
    host: PluginHost, recipe: str, overrides: list[str], values: dict[str, Any], device: str, run_dir: Path
) -> tuple[Trainer, BareLoop]:
    """The ganvas trainer of ``recipe`` with the setting's ``[train]`` values, and its bare loop."""
    import json

    settings = [f"train.{key}={json.dumps(value)}" for key, value in values.items()]
    loaded = load_recipe(recipe, host.registry, [*overrides, *settings])
    if loaded.method.name != "gan":
        raise UserInputError(
            f"ganvas bench throughput times the gan method; recipe '{recipe}' uses {loaded.method.name!r}"
        )
    trainer = Trainer(loaded, run_dir, host, quiet=True, device=device)
    return trainer, BareLoop(trainer)


def _advance(trainer: Trainer, hook: Any) -> Callable[[], None]:
    """One step of ``trainer`` as ``ganvas train`` takes it (stats, the step hook)."""
    return lambda: trainer.advance(hook)


def _build(
    host: PluginHost,
    recipe: str,
    overrides: list[str],
    settings: dict[str, dict[str, Any]],
    device: str,
    tmp: Path,
    warmup: int,
) -> tuple[dict[str, dict[str, Callable[[], None]]], dict[str, str], torch.device]:
    """Each setting's two sides (ganvas, bare), warmed up; the settings that failed, with why."""
    sides: dict[str, dict[str, Callable[[], None]]] = {}
    failed: dict[str, str] = {}
    used = torch.device("cpu")
    for name, values in settings.items():
        try:
            trainer, bare = _side_pair(host, recipe, overrides, values, device, tmp / name)
            hook = trainer.step_hook()
            pair = {"ganvas": _advance(trainer, hook), "bare": bare.step}
            for fn in pair.values():  # allocator, kernels, lazy init, compilation: not timed
                seconds_per_call(fn, warmup, trainer.device)
        except UserInputError as exc:
            if not values:  # the baseline itself cannot run: the recipe or device is the problem
                raise
            failed[name] = str(exc)
            continue
        except Exception as exc:  # e.g. torch.compile without a C compiler: report it, time the rest
            if not values:
                raise
            failed[name] = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
            continue
        sides[name], used = pair, trainer.device
    return sides, failed, used


def _time_rounds(
    sides: dict[str, dict[str, Callable[[], None]]],
    steps: int,
    rounds: int,
    device: torch.device,
    progress: Callable[[str], Any] | None,
) -> dict[tuple[str, str], list[float]]:
    """Seconds per step of every (setting, side), one figure per round; the order of all of them
    reversed every other round."""
    order = [(name, side) for name, pair in sides.items() for side in pair]
    times: dict[tuple[str, str], list[float]] = {key: [] for key in order}
    for r in range(rounds):
        for name, side in order if r % 2 == 0 else order[::-1]:
            times[name, side].append(seconds_per_call(sides[name][side], steps, device))
        if progress is not None:
            cells = [f"{name} {side} {times[name, side][-1] * 1e3:.1f} ms" for name, side in order]
            progress(f"round {r + 1}/{rounds}: " + "  ".join(cells))
    return times


def _row(name: str, ganvas: list[float], bare: list[float], batch: int) -> dict[str, Any]:
    ratios = [b / g for g, b in zip(ganvas, bare)]  # ganvas img/s over bare img/s, per round
    return {
        "setting": name,
        "ganvas_img_per_s": round(batch / statistics.median(ganvas), 2),
        "bare_img_per_s": round(batch / statistics.median(bare), 2),
        "ratio": round(statistics.median(ratios), 4),
        "ratio_min": round(min(ratios), 4),
        "ratio_max": round(max(ratios), 4),
    }


def run_throughput_benchmark(
    host: PluginHost,
    recipe: str = "default",
    *,
    settings: str = DEFAULT_SETTINGS,
    device: str = "auto",
    steps: int = 10,
    batch: int | None = None,
    rounds: int = 3,
    warmup: int = 3,
    overrides: list[str] | None = None,
    progress: Callable[[str], Any] | None = None,
) -> dict[str, Any]:
    """Images/s of ganvas and of the bare loop for each setting of ``settings`` (see
    :func:`parse_settings`), and their ratio ganvas/bare (the median of the per-round ratios)."""
    chosen = parse_settings(settings)
    extra = [*(overrides or []), "train.sample_every=0", "train.eval_every=0"]
    extra += [f"train.batch={batch}"] if batch is not None else []
    with tempfile.TemporaryDirectory() as tmp:
        sides, failed, used = _build(host, recipe, extra, chosen, device, Path(tmp), warmup)
        times = _time_rounds(sides, steps, rounds, used, progress)
    size = load_recipe(recipe, host.registry, extra).train.batch
    rows: list[dict[str, Any]] = []
    for name in chosen:
        if name in failed:
            rows.append({"setting": name, "error": failed[name]})
            continue
        rows.append(_row(name, times[name, "ganvas"], times[name, "bare"], size))
    baseline = next((r for r in rows if r["setting"] == "fp32" and "error" not in r), None)
    for row in rows:
        if baseline is not None and "error" not in row:
            row["speedup_vs_fp32"] = round(row["ganvas_img_per_s"] / baseline["ganvas_img_per_s"], 3)
    return {
        "benchmark": "throughput",
        "recipe": recipe,
        "device": str(used),
        "device_name": device_name(used),
        "cuda_available": torch.cuda.is_available(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "batch": size,
        "steps_per_round": steps,
        "rounds": rounds,
        "warmup_steps": warmup,
        "rows": rows,
    }


def format_report(report: dict[str, Any]) -> str:
    """The report of :func:`run_throughput_benchmark` as a small table."""
    r = report
    lines = [
        f"ganvas bench throughput: recipe {r['recipe']}, batch {r['batch']}, {r['rounds']} rounds x "
        f"{r['steps_per_round']} steps ({r['warmup_steps']} warm-up), {r['device']} ({r['device_name']}; "
        f"{r['threads']} threads), torch {r['torch']}",
        f"  {'setting':<28} {'ganvas img/s':>12} {'bare img/s':>11} {'ganvas/bare':>12} {'vs fp32':>8}",
    ]
    for row in r["rows"]:
        if "error" in row:
            lines.append(f"  {row['setting']:<28} not run: {row['error']}")
            continue
        speedup = f"{row['speedup_vs_fp32']:.2f}x" if "speedup_vs_fp32" in row else "-"
        lines.append(
            f"  {row['setting']:<28} {row['ganvas_img_per_s']:>12.1f} {row['bare_img_per_s']:>11.1f} "
            f"{row['ratio']:>12.3f} {speedup:>8}"
        )
    return "\n".join(lines)
