"""``ganvas bench loop``: the trainer's step against a bare, hand-written PyTorch GAN loop.

Both sides train the same DCGAN (same initial weights) with the non-saturating loss, Adam(2e-4,
0.5) and the same batch size on the same in-memory data; they do the same maths per step (D
phase with G under no_grad, G phase with D's parameters frozen). The sides alternate within one
process, in ABBA order, so drift in machine speed hits both alike. The ratio is the median of the
per-round ratios; the bare loop runs without EMA, so the ganvas side is timed twice: EMA off
(the machinery alone) and EMA on (what a default recipe pays).
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from ganvas.bench.timing import seconds_per_call
from ganvas.plugin import PluginHost
from ganvas.recipe import parse_recipe
from ganvas.training import Trainer, build_networks

__all__ = ["BareLoop", "run_loop_benchmark", "format_report"]


def _recipe(host: PluginHost, size: int, width: int, batch: int, device: str, ema: float) -> Any:
    """The benchmark's recipe: a DCGAN on in-memory ``circles``, nonsaturating loss, no samples."""
    raw = {
        "name": "bench-loop",
        "data": {"source": "procedural:circles", "size": size, "count": max(256, 4 * batch)},
        "model": {"name": "dcgan", "width": width},
        "loss": {"name": "nonsaturating"},
        "train": {"batch": batch, "ema": ema, "device": device, "sample_every": 0, "seed": 0},
    }
    return parse_recipe(raw, host.registry, source="bench-loop")


class BareLoop:
    """The DCGAN training loop as one would write it by hand, without ganvas."""

    def __init__(self, trainer: Trainer) -> None:
        nets = build_networks(trainer.recipe, trainer.host, trainer.data.shape)
        self.G = nets.generator.to(trainer.device)
        self.D = nets.discriminator.to(trainer.device)
        method: Any = trainer.method  # the gan method: the same initial weights
        self.G.load_state_dict(method.G.state_dict())
        self.D.load_state_dict(method.D.state_dict())
        cfg = trainer.recipe.train
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=cfg.lr_g, betas=tuple(cfg.betas))
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=cfg.lr_d, betas=tuple(cfg.betas))
        self.images = trainer.data.data  # uint8, already on the device
        self.batch, self.z_dim, self.device = cfg.batch, nets.z_dim, trainer.device

    def step(self) -> None:
        """One D step and one G step, as the ganvas trainer takes them."""
        idx = torch.randint(len(self.images), (self.batch,), device=self.images.device)
        real = self.images[idx].float().div_(127.5).sub_(1.0)
        z = torch.randn(self.batch, self.z_dim, device=self.device)
        self.D.requires_grad_(True)
        self.opt_d.zero_grad(set_to_none=True)
        with torch.no_grad():
            fake = self.G(z)
        loss_d = F.softplus(-self.D(real)).mean() + F.softplus(self.D(fake)).mean()
        loss_d.backward()
        self.opt_d.step()
        self.D.requires_grad_(False)
        self.opt_g.zero_grad(set_to_none=True)
        z = torch.randn(self.batch, self.z_dim, device=self.device)
        loss_g = F.softplus(-self.D(self.G(z))).mean()
        loss_g.backward()
        self.opt_g.step()


def run_loop_benchmark(
    host: PluginHost,
    *,
    size: int = 32,
    width: int = 32,
    batch: int = 64,
    steps: int = 10,
    rounds: int = 7,
    device: str = "auto",
    progress: Callable[[str], Any] | None = None,
) -> dict[str, Any]:
    """Time the trainer's step (EMA off and on) against :class:`BareLoop`; returns the figures.

    ``progress`` receives one line per round (the milliseconds per step of each side).
    """
    with tempfile.TemporaryDirectory() as tmp:
        plain = Trainer(_recipe(host, size, width, batch, device, 0.0), Path(tmp), host, quiet=True)
        with_ema = Trainer(_recipe(host, size, width, batch, device, 0.999), Path(tmp), host, quiet=True)
        bare = BareLoop(plain)
        hook_plain, hook_ema = plain.step_hook(), with_ema.step_hook()
        sides: dict[str, Callable[[], None]] = {
            "bare": bare.step,
            "ganvas": lambda: plain.advance(hook_plain),
            "ganvas_ema": lambda: with_ema.advance(hook_ema),
        }
        for fn in sides.values():  # warm-up: allocator, kernels, lazy init
            seconds_per_call(fn, 2, plain.device)
        times: dict[str, list[float]] = {name: [] for name in sides}
        for r in range(rounds):
            order = list(sides) if r % 2 == 0 else list(reversed(sides))
            for name in order:
                times[name].append(seconds_per_call(sides[name], steps, plain.device))
            if progress is not None:
                progress(f"round {r + 1}/{rounds}: " + "  ".join(f"{n} {times[n][-1] * 1e3:.1f} ms" for n in sides))
        ratios = [g / b for g, b in zip(times["ganvas"], times["bare"])]
        ratios_ema = [g / b for g, b in zip(times["ganvas_ema"], times["bare"])]
        return {
            "benchmark": "loop",
            "device": str(plain.device),
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "size": size,
            "width": width,
            "batch": batch,
            "steps_per_round": steps,
            "rounds": rounds,
            "bare_ms_per_step": round(statistics.median(times["bare"]) * 1e3, 3),
            "ganvas_ms_per_step": round(statistics.median(times["ganvas"]) * 1e3, 3),
            "ganvas_ema_ms_per_step": round(statistics.median(times["ganvas_ema"]) * 1e3, 3),
            "ratio": round(statistics.median(ratios), 4),
            "ratio_min": round(min(ratios), 4),
            "ratio_max": round(max(ratios), 4),
            "ratio_with_ema": round(statistics.median(ratios_ema), 4),
            "target_ratio": 1.05,
        }


def format_report(r: dict[str, Any]) -> str:
    """The report of :func:`run_loop_benchmark` as a few human-readable lines."""
    return "\n".join(
        [
            f"ganvas bench loop: DCGAN {r['size']}px width {r['width']}, batch {r['batch']}, "
            f"{r['rounds']} rounds x {r['steps_per_round']} steps, {r['device']} ({r['threads']} threads), torch {r['torch']}",
            f"  bare PyTorch loop      {r['bare_ms_per_step']:9.2f} ms/step",
            f"  ganvas trainer         {r['ganvas_ms_per_step']:9.2f} ms/step",
            f"  ganvas trainer + EMA   {r['ganvas_ema_ms_per_step']:9.2f} ms/step",
            f"  ratio ganvas/bare      {r['ratio']:.3f}  (per-round range {r['ratio_min']:.3f}..{r['ratio_max']:.3f}; "
            f"target <= {r['target_ratio']})",
            f"  ratio with EMA         {r['ratio_with_ema']:.3f}",
        ]
    )
