"""``ganvas bench throughput``: images/s of ganvas against a bare PyTorch loop, per speed setting."""

from __future__ import annotations

import json

import click

from ganvas.plugin.manager import PluginHost

__all__ = ["throughput"]


@click.command("throughput", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--recipe", default="default", show_default=True, help="Recipe to train (a gan recipe).")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda", "mps"]), default="auto", show_default=True)
@click.option(
    "--settings",
    default="fp32,bf16,channels-last,compile",
    show_default=True,
    help="Comma-separated: fp32, bf16, fp16, channels-last, compile; join with + to combine (bf16+compile).",
)
@click.option("--steps", type=click.IntRange(1), default=None, help="Timed steps per round and side.  [default: 10]")
@click.option("--batch", type=click.IntRange(1), default=None, help="Batch size.  [default: the recipe's]")
@click.option("--rounds", type=click.IntRange(1), default=None, help="Alternating rounds.  [default: 3]")
@click.option("--warmup", type=click.IntRange(1), default=None, help="Untimed steps per side first.  [default: 3]")
@click.option("--quick", is_flag=True, help="A smoke run: 2 steps, 2 rounds, 1 warm-up step, unless given.")
@click.option("--set", "overrides", multiple=True, metavar="KEY.PATH=VALUE", help="Override recipe values.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def throughput(
    host: PluginHost,
    recipe: str,
    device: str,
    settings: str,
    steps: int | None,
    batch: int | None,
    rounds: int | None,
    warmup: int | None,
    quick: bool,
    overrides: tuple[str, ...],
    as_json: bool,
) -> None:
    """Images/s of RECIPE's training step in ganvas and in a bare PyTorch loop (the same networks
    and maths: Adam, the non-saturating loss, the EMA), for each speed setting ([train] precision,
    channels_last, compile), and the ratio ganvas/bare.

    All sides alternate in one process; warm-up steps (compilation) are not timed. A setting the
    device cannot run is reported as not run. Progress goes to stderr unless --json.
    """
    from ganvas.bench.throughput import format_report, run_throughput_benchmark

    small = (2, 2, 1) if quick else (10, 3, 3)
    report = run_throughput_benchmark(
        host,
        recipe,
        settings=settings,
        device=device,
        steps=steps or small[0],
        batch=batch,
        rounds=rounds or small[1],
        warmup=warmup or small[2],
        overrides=list(overrides),
        progress=None if as_json else lambda line: click.echo(line, err=True),
    )
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))
