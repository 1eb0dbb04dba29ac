"""Built-in benchmark commands, added to ``ganvas bench`` through ``register_commands``."""

from __future__ import annotations

import json

import click

from ganvas import hookimpl


@click.command("loop", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--size", type=click.Choice(["16", "32", "64"]), default="32", show_default=True, help="Image size.")
@click.option("--width", type=click.IntRange(min=4), default=32, show_default=True, help="DCGAN width.")
@click.option("--batch", type=click.IntRange(min=1), default=64, show_default=True)
@click.option("--steps", type=click.IntRange(min=1), default=10, show_default=True, help="Steps per round and side.")
@click.option("--rounds", type=click.IntRange(min=1), default=7, show_default=True, help="Alternating rounds.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda", "mps"]), default="auto", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def loop(host, size, width, batch, steps, rounds, device, as_json):
    """Time ganvas's training step against a bare PyTorch loop (same DCGAN, loss, Adam, batch).

    The two alternate in one process; the ratio ganvas/bare is the median of the per-round
    ratios. Target: <= 1.05 (the plugin machinery must cost almost nothing).
    """
    from ganvas.bench.loop import format_report, run_loop_benchmark

    report = run_loop_benchmark(host, size=int(size), width=width, batch=batch, steps=steps, rounds=rounds,
                                device=device, progress=None if as_json else click.echo)
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))


@hookimpl
def register_commands(cli):
    cli.commands["bench"].add_command(loop)
