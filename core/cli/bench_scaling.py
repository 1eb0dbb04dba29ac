"""``ganvas bench scaling``: two training processes against one with two threads, on the CPU."""

from __future__ import annotations

import json

import click

__all__ = ["scaling"]


@click.command("scaling", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--recipe", default="default", show_default=True, help="Recipe to train.")
@click.option("--steps", type=click.IntRange(12), default=60, show_default=True, help="Training steps per run.")
@click.option("--batch", type=click.IntRange(2), default=64, show_default=True, help="Global batch (even).")
@click.option("--rounds", type=click.IntRange(1, 20), default=2, show_default=True, help="Alternating rounds.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def scaling(recipe: str, steps: int, batch: int, rounds: int, as_json: bool) -> None:
    """Images/s of RECIPE trained by 2 processes of 1 thread (torch.distributed, gloo) against 1
    process of 2 threads, in alternating rounds; prints both and their ratio. Progress on stderr."""
    from ganvas.bench.scaling import format_report, run_scaling_benchmark
    from ganvas.errors import UserInputError

    if batch % 2:
        raise UserInputError(f"--batch {batch}: the global batch must split over 2 processes; use {batch + 1}")
    report = run_scaling_benchmark(
        recipe, steps=steps, batch=batch, rounds=rounds, log=lambda line: click.echo(line, err=True)
    )
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))
