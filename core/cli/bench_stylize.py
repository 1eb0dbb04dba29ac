"""``ganvas bench stylize``: each stylizer's speed at several sizes against OpenCV, and what the
quality-tuned ones measure (texture's blend curve, upscale against bicubic)."""

from __future__ import annotations

import json

import click

from ganvas.plugin.manager import PluginHost

__all__ = ["stylize"]


@click.command("stylize", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--size",
    "sizes",
    type=click.IntRange(16, 4096),
    multiple=True,
    default=(1024, 2048),
    show_default=True,
    help="Picture side (repeatable).",
)
@click.option(
    "--rounds",
    type=click.IntRange(1, 100),
    default=3,
    show_default=True,
    help="Timed runs per stylizer (ganvas and OpenCV alternate).",
)
@click.option(
    "--batch",
    type=click.IntRange(0, 256),
    default=16,
    show_default=True,
    help="Pictures in the throughput batch (0: skip).",
)
@click.option(
    "--batch-size", type=click.IntRange(16, 1024), default=256, show_default=True, help="Side of the batched pictures."
)
@click.option("--only", multiple=True, metavar="NAME", help="Only these stylizers (repeatable).")
@click.option("--no-opencv", is_flag=True, help="Skip the OpenCV comparisons.")
@click.option("--no-quality", is_flag=True, help="Skip texture's blend curve and upscale against bicubic.")
@click.option(
    "--quality-size",
    type=click.IntRange(32, 1024),
    default=256,
    show_default=True,
    help="Picture side for texture's blend curve (upscale uses whole photos up to 512 px).",
)
@click.option(
    "--threads",
    type=click.IntRange(0, 256),
    default=0,
    show_default=True,
    help="CPU threads for torch and OpenCV alike (0: their defaults).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def stylize(
    host: PluginHost,
    sizes: tuple[int, ...],
    only: tuple[str, ...],
    no_opencv: bool,
    no_quality: bool,
    quality_size: int,
    as_json: bool,
    **given: int,
) -> None:
    """Milliseconds per image for each stylizer on CPU at each --size, the ratio to OpenCV's
    comparable filters (oil painting, stylization, pencil sketch, k-means, edge-preserving) and
    batched images/s; then texture's blend curve (content similarity and texture loss at 5
    strengths) and upscale 4x against bicubic (PSNR, sharpness) on held-out photos.

    Target: ganvas within 2x of OpenCV for each comparable pair. OpenCV is optional:
    pip install 'ganvas[bench]'; the photos: pip install 'ganvas[photos]'.
    """
    from ganvas.bench.stylize import footer, format_quality, run_stylize_benchmark

    only = tuple(host.get("stylizers", name).name for name in only)  # unknown: one line listing the valid
    report = run_stylize_benchmark(
        host,
        sizes=sizes,
        only=only,
        opencv=not no_opencv,
        quality=not no_quality,
        quality_size=quality_size,
        progress=None if as_json else click.echo,
        **given,
    )
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    if report.get("quality"):
        click.echo(format_quality(report["quality"]))
    click.echo(footer(report))
