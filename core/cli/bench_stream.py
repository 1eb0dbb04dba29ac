"""``ganvas bench stream``: peak memory while training on a folder of many small images, held in
memory against read from its on-disk cache (``data.cache``)."""

from __future__ import annotations

import json
from typing import Any

import click

__all__ = ["stream"]


@click.command("stream", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--count", type=click.IntRange(1, 10_000_000), default=100_000, show_default=True, help="Images to generate."
)
@click.option("--size", type=click.IntRange(4, 1024), default=32, show_default=True, help="Image side in pixels.")
@click.option("--steps", type=click.IntRange(1), default=20, show_default=True, help="Timed training steps per run.")
@click.option("--batch", type=click.IntRange(1), default=64, show_default=True, help="Training batch.")
@click.option("--threads", type=click.IntRange(1, 256), default=1, show_default=True, help="Torch threads per run.")
@click.option(
    "--folder",
    type=click.Path(file_okay=False),
    default="",
    help="Train on this folder's images; an empty or missing one gets the generated images (kept).  "
    "[default: a temporary folder]",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def stream(as_json: bool, **given: Any) -> None:
    """Memory while training on COUNT small images: the folder in memory vs its on-disk cache.

    Writes COUNT procedural PNGs of SIZE px (or uses --folder's images), then trains the default
    recipe on them for STEPS steps in four child processes, one at a time: on 64 of the images (the
    floor), data.cache = "memory", "disk" building the cache, and "disk" reusing it. Prints each child's peak resident memory
    (its own, from wait4), its start-up time (loading the data) and images/s. Caches go to a
    temporary GANVAS_CACHE_DIR. Progress goes to stderr.
    """
    from ganvas.bench.streaming import Settings, format_report, run_stream_benchmark

    report = run_stream_benchmark(Settings(**given), log=lambda line: click.echo(line, err=True))
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))
