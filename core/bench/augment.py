"""``ganvas bench augment``: ganvas's DiffAugment pipeline against a plain-PyTorch DiffAugment.

Both sides run forward + backward of ``color,translation,cutout`` on the same ``(B, 3, S, S)``
batch in [-1, 1]; they alternate within one process (ABBA order, so drifts in machine load hit
both alike) and the ratio is the median of the per-round ratios. A second measurement times a
DCGAN training step with and without the policy to give the share of a step spent augmenting.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from ganvas.bench.timing import seconds_per_call, sync
from ganvas.plugin import PluginHost

__all__ = ["plain_diffaugment", "run_augment_benchmark", "format_report"]


# -- the plain reference: DiffAugment as written in Zhao et al.'s repository ---------------------


def _plain_color(x: Tensor) -> Tensor:
    x = x + (torch.rand(x.size(0), 1, 1, 1, dtype=x.dtype, device=x.device) - 0.5)
    x_mean = x.mean(dim=1, keepdim=True)
    x = (x - x_mean) * (torch.rand(x.size(0), 1, 1, 1, dtype=x.dtype, device=x.device) * 2) + x_mean
    x_mean = x.mean(dim=[1, 2, 3], keepdim=True)
    return (x - x_mean) * (torch.rand(x.size(0), 1, 1, 1, dtype=x.dtype, device=x.device) + 0.5) + x_mean


def _plain_translation(x: Tensor, ratio: float = 0.125) -> Tensor:
    shift_x, shift_y = int(x.size(2) * ratio + 0.5), int(x.size(3) * ratio + 0.5)
    translation_x = torch.randint(-shift_x, shift_x + 1, size=[x.size(0), 1, 1], device=x.device)
    translation_y = torch.randint(-shift_y, shift_y + 1, size=[x.size(0), 1, 1], device=x.device)
    grid_batch, grid_x, grid_y = torch.meshgrid(
        torch.arange(x.size(0), dtype=torch.long, device=x.device),
        torch.arange(x.size(2), dtype=torch.long, device=x.device),
        torch.arange(x.size(3), dtype=torch.long, device=x.device),
        indexing="ij",
    )
    grid_x = torch.clamp(grid_x + translation_x + 1, 0, x.size(2) + 1)
    grid_y = torch.clamp(grid_y + translation_y + 1, 0, x.size(3) + 1)
    x_pad = F.pad(x, [1, 1, 1, 1, 0, 0, 0, 0])
    return x_pad.permute(0, 2, 3, 1).contiguous()[grid_batch, grid_x, grid_y].permute(0, 3, 1, 2)


def _plain_cutout(x: Tensor, ratio: float = 0.5) -> Tensor:
    cutout_size = int(x.size(2) * ratio + 0.5), int(x.size(3) * ratio + 0.5)
    offset_x = torch.randint(0, x.size(2) + (1 - cutout_size[0] % 2), size=[x.size(0), 1, 1], device=x.device)
    offset_y = torch.randint(0, x.size(3) + (1 - cutout_size[1] % 2), size=[x.size(0), 1, 1], device=x.device)
    grid_batch, grid_x, grid_y = torch.meshgrid(
        torch.arange(x.size(0), dtype=torch.long, device=x.device),
        torch.arange(cutout_size[0], dtype=torch.long, device=x.device),
        torch.arange(cutout_size[1], dtype=torch.long, device=x.device),
        indexing="ij",
    )
    grid_x = torch.clamp(grid_x + offset_x - cutout_size[0] // 2, min=0, max=x.size(2) - 1)
    grid_y = torch.clamp(grid_y + offset_y - cutout_size[1] // 2, min=0, max=x.size(3) - 1)
    mask = torch.ones(x.size(0), x.size(2), x.size(3), dtype=x.dtype, device=x.device)
    mask[grid_batch, grid_x, grid_y] = 0
    return x * mask.unsqueeze(1)


def plain_diffaugment(x: Tensor) -> Tensor:
    """color, translation, cutout in plain PyTorch (the reference implementation's maths)."""
    return _plain_cutout(_plain_translation(_plain_color(x)))


# -- timing ---------------------------------------------------------------------------------------


def _alternate(
    a: Callable[[], None], b: Callable[[], None], repeats: int, rounds: int, device: torch.device
) -> tuple[list[float], list[float]]:
    """Per-round seconds per call of ``a`` and ``b``, in ABBA order after one warm-up each."""
    a()
    b()
    ta, tb = [], []
    for r in range(rounds):
        if r % 2 == 0:
            ta.append(seconds_per_call(a, repeats, device))
            tb.append(seconds_per_call(b, repeats, device))
        else:
            tb.append(seconds_per_call(b, repeats, device))
            ta.append(seconds_per_call(a, repeats, device))
    return ta, tb


def run_augment_benchmark(
    host: PluginHost,
    *,
    batch: int = 64,
    size: int = 64,
    repeats: int = 10,
    rounds: int = 7,
    step_rounds: int = 3,
    step_repeats: int = 2,
    width: int = 32,
    device: str = "auto",
    policy: str = "color,translation,cutout",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Time the pipeline against :func:`plain_diffaugment`; ``step_rounds=0`` skips the DCGAN share."""
    from ganvas.device import resolve_device
    from ganvas.training.augment import build_pipeline

    dev = resolve_device(device)
    say = progress or (lambda _msg: None)
    pipeline = build_pipeline(host, policy, 1.0).to(dev)
    x = torch.rand(batch, 3, size, size, device=dev).mul(2).sub(1).requires_grad_(True)
    weight = torch.randn(batch, 3, size, size, device=dev)

    def fwd_bwd(fn: Callable[[Tensor], Tensor]) -> Callable[[], None]:
        def run() -> None:
            x.grad = None
            (fn(x) * weight).sum().backward()

        return run

    say(f"augment forward+backward: {policy} on {batch}x3x{size}x{size}, {rounds} rounds x {repeats} calls")
    t_ganvas, t_plain = _alternate(fwd_bwd(pipeline), fwd_bwd(plain_diffaugment), repeats, rounds, dev)
    ratios = [g / p for g, p in zip(t_ganvas, t_plain)]
    report: dict[str, Any] = {
        "device": str(dev),
        "torch_threads": torch.get_num_threads(),
        "policy": policy,
        "batch_shape": [batch, 3, size, size],
        "ganvas_ms": round(statistics.median(t_ganvas) * 1e3, 3),
        "plain_ms": round(statistics.median(t_plain) * 1e3, 3),
        "ratio": round(statistics.median(ratios), 3),
        "ratio_rounds": [round(r, 3) for r in ratios],
        "target": 1.2,
    }
    if step_rounds:
        say(f"DCGAN step with/without the policy: width {width}, {step_rounds} rounds x {step_repeats} steps")
        report["dcgan_step"] = _step_share(
            host, batch, size, width, str(dev.type), policy, step_rounds, step_repeats, dev
        )
    return report


def _step_share(
    host: PluginHost,
    batch: int,
    size: int,
    width: int,
    device: str,
    policy: str,
    rounds: int,
    repeats: int,
    dev: torch.device,
) -> dict[str, Any]:
    """Seconds per DCGAN step with and without ``policy``; the difference is the augmenting share."""
    from ganvas.recipe import parse_recipe
    from ganvas.training import Trainer

    def trainer(aug: str, folder: Path) -> Trainer:
        raw = {
            "name": "bench-augment",
            "data": {"source": "procedural:circles", "size": size, "count": max(256, 4 * batch)},
            "model": {"name": "dcgan", "width": width},
            "loss": {"name": "nonsaturating"},
            "augment": {"policy": aug},
            "train": {"batch": batch, "ema": 0.0, "device": device, "sample_every": 0, "seed": 0},
        }
        run_dir = folder / (aug or "none").replace(",", "-")
        run_dir.mkdir()
        return Trainer(parse_recipe(raw, host.registry, source="bench-augment"), run_dir, host, quiet=True)

    with tempfile.TemporaryDirectory() as tmp:
        with_aug, without = trainer(policy, Path(tmp)), trainer("", Path(tmp))
        method: Any = with_aug.method
        pipeline, spent = method.augment, [0.0]

        def timed(x: Tensor) -> Tensor:  # the pipeline's forward calls inside the step, synced
            sync(dev)
            start = time.perf_counter()
            out = pipeline(x)
            sync(dev)
            spent[0] += time.perf_counter() - start
            return out

        method.augment = timed
        t_with, t_without = _alternate(with_aug.advance, without.advance, repeats, rounds, dev)
    s_with, s_without = statistics.median(t_with), statistics.median(t_without)
    forward = spent[0] / ((rounds * repeats + 1) * s_with) if s_with > 0 else 0.0
    return {
        "width": width,
        "with_augment_ms": round(s_with * 1e3, 1),
        "without_augment_ms": round(s_without * 1e3, 1),
        # difference of medians: includes the backward pass through the ops, but noisy under load
        "augment_share": round(max(s_with - s_without, 0.0) / s_with, 3),
        # measured directly: the ops' forward passes only (3 calls per step), stable under load
        "augment_forward_share": round(forward, 3),
    }


def format_report(report: dict[str, Any]) -> str:
    """The report as a few human-readable lines."""
    b = "x".join(str(n) for n in report["batch_shape"])
    lines = [
        f"augment {report['policy']} forward+backward on {b} ({report['device']}, {report['torch_threads']} threads)",
        f"  ganvas {report['ganvas_ms']:.2f} ms   plain PyTorch {report['plain_ms']:.2f} ms   "
        f"ratio ganvas/plain {report['ratio']:.3f} (target <= {report['target']})",
    ]
    step = report.get("dcgan_step")
    if step:
        lines.append(
            f"  DCGAN step (width {step['width']}): {step['with_augment_ms']:.1f} ms with, "
            f"{step['without_augment_ms']:.1f} ms without -> {100 * step['augment_share']:.1f}% spent augmenting "
            f"(forward passes alone, timed inside the step: {100 * step['augment_forward_share']:.1f}%)"
        )
    return "\n".join(lines)
