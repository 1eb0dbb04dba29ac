"""``ganvas bench modes``: the 2-D mode-collapse benchmark against PacGAN's published table.

Trains a recipe for several seeds, draws 2,500 samples from each EMA generator and measures
modes captured, high-quality samples and reverse KL (:mod:`ganvas.metrics.modes`)."""

from __future__ import annotations

import math
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ganvas.errors import UserInputError
from ganvas.plugin import PluginHost

__all__ = ["run_modes_benchmark", "run_trials", "format_report", "format_table", "SAMPLES"]

SAMPLES = 2500


def _mean_se(values: list[float]) -> tuple[float, float]:
    """Mean and standard error (infinite when any value is)."""
    if not all(math.isfinite(v) for v in values):  # a trial without one high-quality sample: KL = inf
        return math.inf, math.inf
    mean = statistics.fmean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return mean, se


def run_trials(
    host: PluginHost, recipe_ref: str, overrides: list[str], trials: int, log: Callable[[str], Any] | None = None
) -> dict[str, Any]:
    """Train ``recipe_ref`` ``trials`` times (seeds 0..trials-1) and measure each EMA generator."""
    from ganvas.metrics import mixture, mode_stats
    from ganvas.recipe import load_recipe
    from ganvas.training import Trainer

    base = load_recipe(recipe_ref, host.registry, overrides)
    if base.data.name != "toy2d":
        raise UserInputError(
            f"bench modes needs a toy2d:ring or toy2d:grid recipe; '{recipe_ref}' uses {base.data.name}"
        )
    mixture_name = base.data.argument or "ring"
    centres, std = mixture(mixture_name)
    results = []
    for trial in range(trials):
        recipe = load_recipe(
            recipe_ref,
            host.registry,
            [*overrides, f"train.seed={trial}", "train.sample_every=0", "train.checkpoint_every=0"],
        )
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            trainer = Trainer(recipe, Path(tmp), host, quiet=True)
            trainer.run()
            seconds = time.perf_counter() - started
            drawer = trainer.method.current_drawer()
            samples = drawer.draw(drawer.latents(list(range(10_000 * (trial + 1), 10_000 * (trial + 1) + SAMPLES))))
        stats = mode_stats(samples, centres, std).to_dict()
        stats["seconds"] = round(seconds, 1)
        results.append(stats)
        if log is not None:
            log(
                f"  {recipe.name} trial {trial + 1}/{trials}: {stats['modes']} modes, "
                f"{stats['high_quality']:.1f}% high quality, reverse KL {stats['reverse_kl']:.3f}, {seconds:.0f}s"
            )
    summary = {}
    for key in ("modes", "high_quality", "reverse_kl", "seconds"):
        mean, se = _mean_se([float(r[key]) for r in results])
        summary[key] = {"mean": _finite(round(mean, 4)), "se": _finite(round(se, 4))}
    for r in results:
        r["reverse_kl"] = _finite(r["reverse_kl"])
    return {
        "recipe": recipe_ref,
        "name": base.name,
        "mixture": mixture_name,
        "loss": base.loss.name,
        "regularize": [r.name for r in base.regularize],
        "trials": results,
        "summary": summary,
    }


def _finite(value: float) -> float | None:
    """JSON has no infinity: an infinite figure is reported as null (and printed as inf)."""
    return value if math.isfinite(value) else None


def _fmt(stat: dict[str, float | None], digits: int) -> str:
    if stat["mean"] is None:
        return "inf"
    return f"{stat['mean']:.{digits}f} ± {stat['se']:.{digits}f}"


def _row(label: str, modes: str, hq: str, kl: str, secs: str = "") -> str:
    return f"  {label:<34} {modes:>14} {hq:>16} {kl:>16} {secs:>12}"


def format_table(reports: list[dict[str, Any]]) -> str:
    """Reports of :func:`run_trials` as one table per mixture, under PacGAN's published rows."""
    from ganvas.metrics import PUBLISHED

    lines = []
    for mixture in ("ring", "grid"):
        mine = [r for r in reports if r["mixture"] == mixture]
        if not mine:
            continue
        k = 8 if mixture == "ring" else 25
        lines.append(f"{mixture} ({k} modes, {SAMPLES} samples; mean ± s.e.)")
        lines.append(_row("", "modes", "high quality %", "reverse KL", "s / trial"))
        for label, (modes, hq, kl) in PUBLISHED[mixture].items():
            lines.append(_row(f"published {label} (PacGAN Table 1)", f"{modes}", f"{hq}", f"{kl}"))
        for r in mine:
            s = r["summary"]
            label = f"{r['name']} ({r['loss']}{''.join('+' + g for g in r['regularize'])}, {len(r['trials'])} trials)"
            lines.append(
                _row(
                    label[:34],
                    _fmt(s["modes"], 1),
                    _fmt(s["high_quality"], 1),
                    _fmt(s["reverse_kl"], 3),
                    f"{s['seconds']['mean']:.0f}",
                )
            )
        lines.append("")
    return "\n".join(lines)


def format_report(report: dict[str, Any]) -> str:
    """One report of :func:`run_trials` as its mixture's table (see :func:`format_table`)."""
    return format_table([report])


def run_modes_benchmark(
    host: PluginHost,
    recipes: tuple[str, ...],
    trials: int,
    baseline: bool,
    overrides: list[str],
    log: Callable[[str], Any] | None = None,
) -> list[dict[str, Any]]:
    """Each recipe (default: ring8, grid25), and its plain baseline (nonsaturating, no regularisers)."""
    from ganvas.recipe import load_recipe

    reports = []
    for ref in recipes or ("ring8", "grid25"):
        reports.append(run_trials(host, ref, overrides, trials, log))
        if baseline:
            plain = [
                *overrides,
                'loss={name = "nonsaturating"}',
                "regularize=[]",
                "method.n_critic=0",
                "train.optimizer=auto",
            ]
            if load_recipe(ref, host.registry, plain).to_dict() == load_recipe(ref, host.registry, overrides).to_dict():
                reports[-1]["name"] += " (= baseline)"  # the recipe already is the plain baseline
                continue
            report = run_trials(host, ref, plain, trials, log)
            report["name"] += " baseline"
            reports.append(report)
    return reports
