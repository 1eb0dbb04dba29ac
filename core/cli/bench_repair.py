"""``ganvas bench repair``: the repair recipes trained and scored on photos they never saw."""

from __future__ import annotations

import json
from typing import Any

import click

from ganvas.cli import options
from ganvas.io.runs import find_run, runs_root
from ganvas.plugin.manager import PluginHost

__all__ = ["repair"]


@click.command("repair", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("tasks", nargs=-1, metavar="[TASK]...")
@click.option("--steps", type=click.IntRange(min=1), default=None, help="Training steps.  [default: each recipe's]")
@click.option("--set", "overrides", multiple=True, metavar="KEY.PATH=VALUE", help="Override every task's recipe.")
@click.option(
    "--images",
    type=click.Path(file_okay=False),
    default=None,
    help="Write DIR/TASK-PHOTO.png (damaged | model | baseline | clean) and DIR/cycle.png, to look at.",
)
@click.option(
    "--run",
    "runs",
    multiple=True,
    metavar="TASK=RUN",
    help="Score this run (e.g. one `ganvas gallery build` made) instead of training TASK again; "
    "its training time comes from its stats.jsonl (repeatable).",
)
@options.ensemble
@click.option("--quick", is_flag=True, help="Tiny sizes and a few steps, for tests (the figures mean nothing).")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda", "mps"]), default="auto", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def repair(host: PluginHost, tasks: tuple[str, ...], as_json: bool, overrides: tuple[str, ...], **given: Any) -> None:
    """Repair and restyle: each TASK's gallery recipe trained, then scored on held-out photos.

    TASK is superres, denoise, inpaint or cycle [default: all]. superres: 4x against bicubic;
    denoise: sigma 25 against the better of a Gaussian blur and OpenCV's non-local means;
    inpaint: against OpenCV's Telea (PSNR and L1 inside the holes); PSNR and SSIM on the
    astronaut and the cat (scikit-image's photos, never trained on). Targets: >= 0.5 dB over each
    baseline, <= 600 s of training per task on 2 CPU cores. cycle: the Laplacian SWD of translated
    pictures to the target set against the untranslated ones'. Needs the bench extra
    (pip install 'ganvas[bench]'). Progress goes to stderr.
    """
    from ganvas.bench.repair import TASKS, Settings, format_report, run_repair_benchmark
    from ganvas.errors import UserInputError

    try:
        import cv2  # noqa: F401
        import skimage  # noqa: F401
    except ImportError:
        raise UserInputError(
            "ganvas bench repair compares with OpenCV on scikit-image's photos: pip install 'ganvas[bench]'"
        ) from None
    pairs = []
    for item in given.pop("runs"):
        task, eq, run = item.partition("=")
        if not eq or task not in TASKS:
            raise UserInputError(f"--run '{item}': give TASK=RUN with TASK one of {', '.join(TASKS)}")
        pairs.append((task, str(find_run(run, runs_root(None)))))
    settings = Settings(tasks=tasks or tuple(TASKS), overrides=overrides, runs=tuple(pairs), **given)
    report = run_repair_benchmark(host, settings, log=lambda line: click.echo(line, err=True))
    click.echo(json.dumps(report, indent=2) if as_json else format_report(report))
